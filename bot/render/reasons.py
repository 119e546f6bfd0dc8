"""The closure forms' wording, shared by Slack's modal and Teams' card."""

# Title and question of the form asking why, by the button that opened it.
QUESTION = {
    "reject": ("Reject as not done", "Why is it not done yet? Its owners are told."),
    "decline": ("Decline the new date", "Why is the new date declined? Its owners are told."),
}

# The Done… form (a plan whose closure is verified): title, what it asks, its fields.
DONE_TITLE = "Done…"
DONE_INTRO = "Its verifier checks it before it counts as done: add what shows it is done."
LINKS_LABEL = "Evidence links (optional)"
LINKS_HINT = "Web links, separated by spaces: https://…"
NOTE_LABEL = "Note (optional)"
FILES_LABEL = "Files (optional)"
MAX_FORM_FILES = 10  # Slack's most for one file input


def files_hint(types: str) -> str:
    return f"Accepted: {types}; up to 10 MB each."


def teams_files_hint(ref: str, types: str) -> str:
    """Teams cards have no file input: a file comes in a message, as typed `done` does."""
    return (
        f"To add a file, send it to me in this chat with the words “{ref} done” "
        f"(accepted: {types}; up to 10 MB)."
    )
