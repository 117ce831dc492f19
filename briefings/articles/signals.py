"""Signals other apps listen to, so that imports keep running one way.

`article_stored` is sent by `upsert` when an article is created or its content
changed, inside the article's transaction (sender: the Article class; `article`,
`outcome`: "new" or "updated"). The stories app assigns the article to a story
on it.
"""

from django.dispatch import Signal

article_stored = Signal()
