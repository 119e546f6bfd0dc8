"""The closure forms' wording, shared by Slack's modal and Teams' card."""

# Title and question of the form asking why, by the button that opened it.
QUESTION = {
    "reject": ("Reject as not done", "Why is it not done yet? Its owners are told."),
    "decline": ("Decline the new date", "Why is the new date declined? Its owners are told."),
}
