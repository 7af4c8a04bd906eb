"""EPUB renderer: EPUBCheck-clean output, navigation, metadata, reproducibility."""
import zipfile
from pathlib import Path

from lxml import etree

from tests.helpers import FIXTURES, assert_epubcheck_clean, run_cli

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}


def read(epub: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(epub) as zf:
        return etree.fromstring(zf.read(name))


def sample_epub(sample_build: Path) -> Path:
    return sample_build / "tianjin-ebook.epub"


def test_sample_nav_lists_chapters_each_in_its_own_document(sample_build):
    nav = read(sample_epub(sample_build), "EPUB/nav.xhtml")
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    top = toc.findall("x:ol/x:li/x:a", NS)
    titles = [a.text for a in top]
    assert titles[-3:] == ["创新天津 动能澎湃", "逆势走强 激活“中国智造”", "创新引领 行业首单频现"]
    files = [a.get("href").split("#")[0] for a in top[-3:]]
    assert len(set(files)) == 3
    sections = [a.text for a in toc.findall("x:ol/x:li/x:ol/x:li/x:a", NS)]
    assert "天开实践 打造新质生产力策源地" in sections
    landmarks = nav.find(".//x:nav[@epub:type='landmarks']", NS)
    types = {a.get("{http://www.idpf.org/2007/ops}type") for a in landmarks.iter("{*}a")}
    assert {"toc", "bodymatter"} <= types


def test_sample_documents_carry_language(sample_build):
    epub = sample_epub(sample_build)
    with zipfile.ZipFile(epub) as zf:
        docs = [n for n in zf.namelist() if n.endswith(".xhtml")]
    assert len(docs) >= 5
    for name in docs:
        root = read(epub, name)
        assert root.get("lang", "").startswith("zh"), name
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang", "").startswith("zh"), name


def test_sample_metadata(sample_build):
    opf = read(sample_epub(sample_build), "EPUB/content.opf")
    md = opf.find("opf:metadata", NS)
    assert md.find("dc:identifier", NS).text == "urn:uuid:6f1f3c9e-2b49-57eb-a708-bd915c1a0001"
    assert md.find("dc:language", NS).text == "zh-Hans"
    creators = md.findall("dc:creator", NS)
    assert [c.text for c in creators] == ["胡萌伟"]
    ids = [e.get("id") for e in md.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    props = [m.get("property") for m in md.findall("opf:meta", NS)]
    for prop in ("dcterms:modified", "schema:accessMode", "schema:accessibilityFeature",
                 "schema:accessibilityHazard", "schema:accessibilitySummary"):
        assert prop in props
    modified = md.find("opf:meta[@property='dcterms:modified']", NS).text
    assert modified == "2025-06-30T00:00:00Z"  # the book's date, not the clock


def test_technical_book_is_epubcheck_clean(tmp_path):
    result = run_cli("-q", "build", str(FIXTURES / "techbook"), "-f", "epub", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    epub = Path(result.stdout.strip())
    assert_epubcheck_clean(epub)
    with zipfile.ZipFile(epub) as zf:
        text = "".join(zf.read(n).decode() for n in zf.namelist() if n.endswith(".xhtml"))
    assert "<table" in text and "<pre><code" in text and 'role="doc-footnote"' in text
    assert "python3 -m venv .venv" in text


def test_rebuild_is_byte_identical_and_honours_source_date_epoch(tmp_path, monkeypatch):
    src = FIXTURES / "techbook"
    first = run_cli("-q", "build", str(src), "-f", "epub", "-o", str(tmp_path / "a"))
    second = run_cli("-q", "build", str(src), "-f", "epub", "-o", str(tmp_path / "b"))
    a, b = Path(first.stdout.strip()), Path(second.stdout.strip())
    assert a.read_bytes() == b.read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    third = Path(run_cli("-q", "build", str(src), "-f", "epub", "-o",
                         str(tmp_path / "c")).stdout.strip())
    opf = read(third, "EPUB/content.opf")
    assert opf.find(".//opf:meta[@property='dcterms:modified']", NS).text == "2023-11-14T22:13:20Z"
    with zipfile.ZipFile(third) as zf:
        assert zf.namelist()[0] == "mimetype"
        assert zf.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
        assert {i.date_time for i in zf.infolist()} == {(2023, 11, 14, 22, 13, 20)}


def test_identifier_is_derived_not_random(tmp_path):
    src = FIXTURES / "structure" / "front_text.md"
    ids = []
    for out in ("a", "b"):
        path = Path(run_cli("-q", "build", str(src), "-f", "epub", "-o",
                            str(tmp_path / out)).stdout.strip())
        ids.append(read(path, "EPUB/content.opf").find(".//dc:identifier", NS).text)
    assert ids[0] == ids[1] and ids[0].startswith("urn:uuid:")
