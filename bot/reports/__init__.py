"""Pictures and papers for leadership: the RAG-by-theme chart, the committee pack, and
nudge analytics. Pure readers of the register: they change nothing but the record of when
a report was produced."""
