import json

from django.core.management import call_command

from tests.stories.test_assign import BODY, OTHER


def test_judge_prints_one_decision_per_pair(db, tmp_path, capsys):
    pairs = tmp_path / "pairs.jsonl"
    same = {
        "title": "North Korea conducts nuclear test",
        "date": "2006-10-09",
        "body": BODY,
    }
    other = {"title": "Thai election results", "date": "2006-10-09", "body": OTHER}
    lines = [{"a": same, "b": same}, {"a": same, "b": other}, "not json"]
    pairs.write_text(
        "\n".join(json.dumps(x) if isinstance(x, dict) else x for x in lines)
    )
    call_command("stories", "judge", str(pairs))
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert out[0] == {"score": 1.0, "same_story": True}
    assert out[1]["same_story"] is False
    assert out[2] == {"error": "invalid pair"}
