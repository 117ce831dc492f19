from django.http import Http404
from django.shortcuts import redirect, render

from briefings.stories.models import Story, StoryRedirect
from briefings.stories.related import coverage


def story(request, pk):
    """The full coverage page: every paper's take, by region and country, and a
    timeline with the first report marked."""
    story = Story.objects.filter(pk=pk).first()
    if story is None:
        # A story merged into another by a regrouping keeps its address.
        moved = StoryRedirect.objects.filter(old_id=pk).first()
        if moved is None:
            raise Http404("no such story")
        return redirect("story", moved.story_id, permanent=True)
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
            "editors_lead": story.lead_id,
            "paper_count": len({a.publication_id for a in timeline}),
        },
    )
