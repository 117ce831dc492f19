from django.http import Http404
from django.shortcuts import get_object_or_404, render

from briefings.stories.models import Story
from briefings.stories.related import coverage


def story(request, pk):
    """The full coverage page: every paper's take, by region and country, and a
    timeline with the first report marked."""
    story = get_object_or_404(Story, pk=pk)
    grouped, timeline = coverage(story)
    if not timeline:
        raise Http404("no published article in this story")
    return render(
        request,
        "stories/story.html",
        {
            "story": story,
            "grouped": grouped,
            "timeline": timeline,
            "first_report": timeline[0],
            "paper_count": len({a.publication_id for a in timeline}),
        },
    )
