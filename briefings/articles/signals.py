"""Signals other apps listen to, so that imports keep running one way.

`article_stored` is sent by the ingest pipeline after an article is created or
its content changed (sender: the Article class; `article`, `outcome`: "new" or
"updated"). The stories app assigns the article to a story on it.
"""

from django.dispatch import Signal

article_stored = Signal()
