"""The extraction benchmark's honest split (bench/extraction_accuracy.py): a
site never straddles folds, or its held-out pages would be scored with
thresholds chosen on its own other pages."""

from bench.extraction_accuracy import site_folds, site_of


def test_every_page_of_a_site_is_in_one_fold_and_folds_are_balanced():
    pages = {}
    for n in range(40):
        site = f"paper{n % 13}.example"
        pages[f"p{n}"] = ("<html></html>", f"https://www.{site}/story/{n}")
    folds = site_folds(pages, 5)
    assert sorted(pid for fold in folds for pid in fold) == sorted(pages)
    for site in {site_of(url) for _html, url in pages.values()}:
        holding = [
            i
            for i, fold in enumerate(folds)
            if any(site_of(pages[pid][1]) == site for pid in fold)
        ]
        assert len(holding) == 1, site
    assert max(map(len, folds)) - min(map(len, folds)) <= 4  # one site's pages
    assert site_folds(pages, 5) == folds  # deterministic


def test_www_does_not_make_another_site():
    assert site_of("https://www.Paper.example/a") == site_of("http://paper.example/b")
