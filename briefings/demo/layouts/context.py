"""What a page renderer needs: the network, the paper and absolute URLs."""

from __future__ import annotations

from dataclasses import dataclass

from briefings.demo import paths
from briefings.demo.network import DemoItem, DemoNetwork, DemoPaper


@dataclass(frozen=True)
class PageContext:
    """The paper a page belongs to and the server's base URL."""

    network: DemoNetwork
    paper: DemoPaper
    base_url: str

    def url(self, path: str) -> str:
        """Return the absolute URL of a server path."""
        return self.base_url.rstrip("/") + path

    @property
    def homepage_url(self) -> str:
        """Return the paper's homepage URL."""
        return self.url(paths.homepage_path(self.paper))

    @property
    def feed_url(self) -> str:
        """Return the paper's feed URL."""
        return self.url(paths.feed_path(self.paper))

    @property
    def feed_type(self) -> str:
        """Return the media type of the paper's feed."""
        if self.paper.feed_kind == "atom":
            return "application/atom+xml"
        return "application/rss+xml"

    def article_url(self, item: DemoItem) -> str:
        """Return the absolute URL of one of the paper's stories."""
        return self.url(paths.article_path(self.paper, item))
