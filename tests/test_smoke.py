from tests.helpers import assert_epubcheck_clean


def test_sample_epub_is_epubcheck_clean(sample_build):
    epubs = sorted(sample_build.glob("*.epub"))
    assert epubs
    for path in epubs:
        assert_epubcheck_clean(path)
