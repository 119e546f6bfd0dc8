"""Pictures and papers for leadership: the RAG-by-theme chart, the committee pack, and
nudge analytics. Pure readers of the register: the only thing a pack writes is the record of
one issued for a meeting, and that is `bot/services/packs.py`'s to do."""
