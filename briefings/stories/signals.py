"""Signals of the stories app.

`stories_edited` is sent (after the transaction commits) when an editor merges,
splits, picks a lead or releases a story (editing.py): what pages show of
stories changed, though no article did. The site listens to start a new page
generation; the stories app knows nothing of it.
"""

from django.dispatch import Signal

stories_edited = Signal()
