"""What a card button or form says it is (`data.action` on a Teams card, the `action_id`
Slack's blocks are named after): drawn by the renderers, routed on by the doors, so both
import the same names from here. The quick verbs, and the Command each verb stands for:
bot/commands/buttons.py.
"""

from __future__ import annotations

NEW_DATE, ADD_UPDATE = "new_date", "add_update"  # open a form
OPEN_FORM = (NEW_DATE, ADD_UPDATE)
SAVE_DATE = "save_new_date"
SAVE_UPDATE = "save_update"
SHOW = "show"
CHOOSE = "choose"
# A plan file sent in chat (bot/services/imports/preview.py): Import, Cancel, Preview again.
IMPORT_APPLY = "import_apply"
IMPORT_BUTTONS = (IMPORT_APPLY, "import_cancel", "import_again")
MAP_OWNER = "map_owner"  # a row's "Map…": opens the form
SAVE_OWNER = "save_owner"  # the form's Save: runs `admin owner`
# The closure forms' Save (Reject… and Decline… ask why first): bot/render/closure_cards.py.
SAVE_REASON = {"reject": "save_reject", "decline": "save_decline"}
SAVE_DONE = "save_done"  # the Done… form's Save, on a plan with a verifier
