"""Real files from the wild (``../shared/corpus/wild``), class by class: kind, figures and findings.

Each class folder holds files written by other public projects (see its SOURCES.md); the expected
values below are what independent readers say of them: pdfinfo/qpdf for pages, a full ffmpeg decode
for the length that plays, exiftool for Office counts and picture sizes, heif-info for cropped HEIC
sizes. Files are read in place, never copied; the tests skip when the corpus is absent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import pytest

from portfolio_check.checks.files import file_findings
from portfolio_check.extract.model import FileRecord
from portfolio_check.extract.runner import extract_file
from portfolio_check.findings import Severity
from portfolio_check.ingest.inventory import ingest

#: Seconds a playable length may differ from what a full decode gives (frames at the cut, padding).
PLAYED_TOLERANCE = 0.25


@pytest.fixture
def wild(corpus: Path) -> Path:
    folder = corpus / "wild"
    if not (folder / "sources.json").is_file():
        pytest.skip("the wild corpus (../shared/corpus/wild) is not present")
    return folder


_READ: dict[Path, dict[str, FileRecord]] = {}


def read_class(wild: Path, name: str) -> dict[str, FileRecord]:
    """Every file of a class folder, extracted as ``inspect`` does, by file name."""
    folder = wild / name
    if folder not in _READ:
        _READ[folder] = {record.path: record for record in map(extract_file, ingest(folder).files)}
    return _READ[folder]


def errors(record: FileRecord) -> set[str]:
    """The codes of the record's problems that make a portfolio not ready."""
    return {f.code for f in file_findings([record]) if f.severity is Severity.ERROR}


def codes(record: FileRecord) -> set[str]:
    return {problem.code for problem in record.problems}


def played(record: FileRecord) -> float:
    seconds = record.metadata.get("duration_seconds")
    assert isinstance(seconds, float), (record.path, record.metadata)
    return seconds


def every(records: dict[str, FileRecord], names: Iterable[str]) -> list[FileRecord]:
    found = [records[name] for name in names]
    assert found
    return found


def test_the_files_are_the_ones_listed(wild: Path) -> None:
    """Each file's hash matches sources.json, so the expectations below are about these very bytes."""
    listed = json.loads((wild / "sources.json").read_text(encoding="utf-8"))["files"]
    assert len(listed) >= 150
    for entry in listed:
        data = (wild / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["file"]


# --- a verdict changed by a wrong kind -----------------------------------------------------------

AUDIO_ONLY = {  # file -> seconds a full decode plays (ffmpeg 5.1)
    "androidx-media__sample_audio_only.mp4": 1.045, "androidx-media__sample_opus.mp4": 1.46,
    "androidx-media__sample_alac.mp4": 1.022, "androidx-media__sample_ac3.mp4": 0.288,
    "androidx-media__sample_mp2_audio.mp4": 0.104, "androidx-media__bbb_mono_16kHz_23.05kbps_amrwb.3gp": 2.995,
    "androidx-media__bbb_1ch_12kHz_q10_vorbis.webm": 3.021,
    "Borewit-music-metadata__02_-_Poxfil_-_Solid_Ground_5_sec_.opus.webm": 5.007,
    "Borewit-music-metadata__My_Baby_Boy.webm": 0.506, "Borewit-music-metadata__Apple_voice_memo.m4a": 1.024,
    # cover art: an attached picture is not video
    "Borewit-music-metadata__01._Trumpsta_Djuro_Remix_.m4a": 2.067,
    "Borewit-music-metadata__MusicBrainz_-_Beth_Hart_-_Sinner_s_Prayer.m4a": 2.123,
    "apache-tika__testMP4_coverArt.m4a": 0.07,
}


def test_sound_in_a_video_container_is_audio(wild: Path) -> None:
    records = read_class(wild, "audio_only_mp4_webm_m4a")
    assert set(records) == set(AUDIO_ONLY)
    for name, seconds in AUDIO_ONLY.items():
        record = records[name]
        assert (record.kind, record.error, record.metadata["has_video"]) == ("audio", None, False), name
        # ffprobe's 1.46 s for the Opus MP4 comes from its edit list; it decodes 1.0 s (either is fine here)
        assert played(record) == pytest.approx(seconds, abs=0.5 if "opus.mp4" in name else 0.05), name
        assert "video" not in record.description, name
    assert records["androidx-media__sample_audio_only.mp4"].format == "m4a"
    assert records["Borewit-music-metadata__My_Baby_Boy.webm"].description == "WebM audio"


# --- false errors: files other readers open -------------------------------------------------------

#: file -> pages (pdfinfo and qpdf agree), and whether our reader notices the damage.
DAMAGED_PDFS = {
    "pdf_no_eof": {
        "openpreserve-format-corpus__T04_003_EOF-incomplete-EO.pdf": 1,
        "openpreserve-format-corpus__T04_004_EOF-incomplete_EOF.pdf": 1,
        "mozilla-pdf.js__issue6069.pdf": 1, "qpdf-qpdf__issue-117.pdf": 1,
        "apache-tika__testPDF_AdobeIllustrator.pdf": 1, "derived__2023-06-20-PV__no_EOF_marker.pdf": 2,
        "derived__senate-expenditures__no_startxref_no_EOF.pdf": 1,
    },
    "pdf_damaged_xref": {
        "mozilla-pdf.js__issue2177.pdf": 1, "mozilla-pdf.js__outline_goto_action.pdf": 2,
        "qpdf-qpdf__bad-xref-entry.pdf": 1, "qpdf-qpdf__xref-errors.pdf": 1, "qpdf-qpdf__append-xref-loop.pdf": 30,
        "pdfminer-pdfminer.six__simple1.pdf": 1, "jsvine-pdfplumber__issue-848.pdf": 8,
        "python-pillow-Pillow__trailer_loop.pdf": 1,
    },
}


@pytest.mark.parametrize("folder", sorted(DAMAGED_PDFS))
def test_pdfs_readers_repair_are_readable_with_a_warning(wild: Path, folder: str) -> None:
    records = read_class(wild, folder)
    for name, pages in DAMAGED_PDFS[folder].items():
        record = records[name]
        assert (record.kind, record.error, record.metadata["pages"]) == ("pdf", None, pages), name
        assert errors(record) == set(), (name, record.problems)
        assert codes(record) == {"file-damaged"}, name
        assert "save or print it to PDF again" in record.problems[0].fix


def test_mdat_running_past_the_end_is_not_a_cut(wild: Path) -> None:
    """Every sample is present (ffmpeg decodes each file to its end): judged by where samples end."""
    records = read_class(wild, "mp4_mdat_overshoot")
    lengths = {"derived__sample_with_metadata__mdat_8_bytes_past_eof.mp4": 1.067,
               "derived__testcase__mdat_64KiB_past_eof.m4a": 1.023,
               "derived__sample_18byte_nclx_colr__mdat_1MB_past_eof.mp4": 1.001,
               "derived__sample_eac3__mdat_4KiB_past_eof.mp4": 1.728}
    for name, seconds in lengths.items():
        record = records[name]
        assert (record.error, record.problems) == (None, []), name
        assert played(record) == pytest.approx(seconds, abs=0.05), name
    assert records["derived__sample_eac3__mdat_4KiB_past_eof.mp4"].kind == "audio"


def test_png_with_an_exif_chunk(wild: Path) -> None:
    sizes = {"python-pillow-Pillow__exif.png": (512, 512), "androidx-media__non-motion-photo-shortened.png": (100, 133),
             "bigcat88-pillow_heif__RGB_16__29x100.png": (29, 100), "bigcat88-pillow_heif__RGBA_16__128x128.png": (128, 128),
             "Unstructured-IO-unstructured__DA-1p.png": (595, 842)}
    records = read_class(wild, "png_exif_chunk")
    for name, size in sizes.items():
        record = records[name]
        assert (record.kind, record.error, record.problems) == ("image", None, []), name
        assert (record.metadata["width"], record.metadata["height"]) == size, name
    pixel = records["androidx-media__non-motion-photo-shortened.png"].metadata
    assert (pixel["camera"], pixel["taken"]) == ("Google Pixel 4 XL", "2021-01-08T12:31:43+00:00")  # from eXIf


def test_png_with_wrong_checksums_and_broken_picture_data_is_unreadable(corpus: Path) -> None:
    """Every checksum zero and picture data that is not a zlib stream (ffmpeg: "inflate returned error"):
    exiftool reads its EXIF, but nothing can draw it. (A PNG whose only fault is a checksum is read:
    see tests/test_extract_documents.py.)"""
    [record] = [extract_file(item) for item in ingest(corpus / "mindeng-nom-exif").files
                if item.path.endswith("exif.png")]
    assert (record.kind, record.error) == ("image", "file-unreadable")


MP3S = {  # file -> seconds a full decode plays
    "androidx-media__200kB-garbage-prefix.mp3": 1.045,  # ffprobe takes the garbage for AMR; mutagen and players skip it
    "androidx-media__bear-cbr-constant-frame-size-no-seek-table.mp3": 2.784,
    "androidx-media__bear-cbr-variable-frame-size-no-seek-table.mp3": 2.821,
    "androidx-media__bear-vbr-no-seek-table.mp3": 2.808,  # the first frame's bit rate says 9.5 s
    "Borewit-music-metadata__issue_77_empty_tag.mp3": 2.0, "Borewit-music-metadata__issue-979.mp3": 0.235,
    "Borewit-music-metadata__sin1k0db.mp3": 8.307, "taglib-taglib__invalid-frames2.mp3": 0.313,
    "apache-tika__testMP3noid3.mp3": 2.456,
}


def test_mp3_with_junk_before_its_frames_or_no_seek_table(wild: Path) -> None:
    records = read_class(wild, "mp3_junk_or_no_seek_table")
    for name, seconds in MP3S.items():
        record = records[name]
        assert (record.kind, record.format, record.error, record.problems) == ("audio", "mp3", None, []), name
        assert played(record) == pytest.approx(seconds, abs=0.05), name
    # Two ID3 tags, then an Info header counting 230 s of frames in a 36 kB file: 0.08 s decodes.
    multi = records["Borewit-music-metadata__id3-multi-02.mp3"]
    assert codes(multi) == {"file-truncated"} and played(multi) < 0.2
    assert multi.metadata["declared_duration_seconds"] == pytest.approx(230.3, abs=0.5)


def test_powerpoint_4_and_95_are_presentations_with_their_slides(wild: Path) -> None:
    records = read_class(wild, "ppt_legacy_pp4_pp95")
    slides = {"openpreserve-format-corpus__ecdl_paris.ppt": 16, "openpreserve-format-corpus__unc-_oxford.ppt": 38,
              "apache-poi__PPT95.ppt": 42, "apache-poi__bug56240.ppt": 105}  # exiftool's Pages/Slides
    for name, count in slides.items():
        record = records[name]
        assert (record.kind, record.format, record.error) == ("powerpoint", "ppt", None), name
        assert record.metadata["slides"] == count, name
        assert codes(record) == {"legacy-format"}, name


# --- missed damage -------------------------------------------------------------------------------

CUT_OFF = {  # file -> (seconds the header promises, seconds a full decode plays)
    "Borewit-music-metadata__flac-bug.flac": (557.1, 3.62),
    "devsnd-tinytag__flac_application.flac": (273.6, 0.0),
    "derived__bear_with_vorbis_comments__cut_in_half.flac": (2.741, 1.28),
    "derived__Sinners_Prayer_no-tags_V4__cut_at_40pct.mp3": (2.168, 0.94),
    "derived__id4__cut_at_95pct.m4a": (2.206, 0.93),
    "derived__sample_eac3__cut_in_half.mp4": (1.728, 0.84),
    "derived__sample_float32__cut_at_40pct.wav": (1.022, 0.41),
    "derived__sample_with_srt__cut_at_60pct.mkv": (1.234, 0.2),
}


def test_recordings_cut_short_say_so_with_the_length_they_hold(wild: Path) -> None:
    records = read_class(wild, "truncated_audio_video")
    for name, (promised, plays) in CUT_OFF.items():
        record = records[name]
        assert errors(record) == {"file-truncated"}, (name, record.problems)
        assert record.error is None and record.metadata["truncated"] is True, name
        assert record.metadata["declared_duration_seconds"] == pytest.approx(promised, abs=0.05), name
        assert played(record) == pytest.approx(plays, abs=PLAYED_TOLERANCE), name
        assert "cut off" in record.problems[0].message and "holds only about" in record.problems[0].message
    for name in ("Borewit-music-metadata__issue-749.m4a", "taglib-taglib__ilst-is-last.m4a",
                 "devsnd-tinytag__flac_with_image.flac"):
        assert records[name].error == "file-truncated", name  # nothing at all plays
    # Cut before its index (moov, written last): no player opens it.
    assert records["derived__sample_with_colr_mdcv_and_clli__cut_at_40pct.mp4"].error == "file-unreadable"
    # An MP3 without a length field cut at 5 %: it plays what it holds, and says so (0.11 s).
    assert played(records["derived__testMP3id3v24__cut_at_5pct.mp3"]) == pytest.approx(0.11, abs=0.03)


def test_a_header_without_media_data_is_an_error(wild: Path) -> None:
    records = read_class(wild, "media_header_no_data")
    assert len(records) == 10
    for record in records.values():
        assert record.error in ("file-truncated", "file-unreadable"), record.path
        assert errors(record), record.path
    for name in ("Borewit-music-metadata__issue-387.m4a", "derived__Trumpsta__moov_only_no_mdat.m4a",
                 "derived__sample_with_metadata__mdat_header_only.mp4", "derived__sine_24le__header_only.wav",
                 "Borewit-music-metadata__Pnossnd.aif", "devsnd-tinytag__id3v22_image.mp3",
                 "devsnd-tinytag__id3v1-latin1.mp3"):
        assert records[name].error == "file-truncated", name
        assert "holds no audio or video" in records[name].problems[0].message
    assert "no audio or video" in records["devsnd-tinytag__mpeg4_xa9des.m4a"].problems[0].message  # no tracks


def test_drm_protected_media(wild: Path) -> None:
    records = read_class(wild, "drm_encrypted_media")
    assert len(records) == 6
    for record in records.values():
        assert record.error == "file-protected", record.path
        assert "digital rights management" in record.problems[0].message


def test_jpeg_cut_before_its_end_marker(wild: Path) -> None:
    records = read_class(wild, "jpeg_truncated")
    for name in ("python-pillow-Pillow__truncated_jpeg.jpg", "python-pillow-Pillow__ultrahdr.jpg",
                 "derived__Sony_HDR-HC3__no_EOI.jpg", "derived__nature1__cut_at_60pct.jpg",
                 "derived__DSCN0027__cut_at_25pct.jpg"):
        record = records[name]
        assert errors(record) == {"file-truncated"}, name
        assert record.metadata["width"] > 0 and "cut off" in record.problems[0].message


def test_complete_jpegs_with_data_after_the_picture_are_not_cut(corpus: Path) -> None:
    """A Samsung trailer after the end marker, and a marker after junk between segments: complete."""
    names = ("broken.jpg", "endless_loop.jpg", "vacation_2017.jpg")
    items = [item for folder in ("mindeng-nom-exif", "Zulko-moviepy") for item in ingest(corpus / folder).files
             if item.path.rsplit("/", 1)[-1] in names]
    records = {record.path.rsplit("/", 1)[-1]: record for record in map(extract_file, items)}
    for name in names:
        assert records[name].kind == "image" and "file-truncated" not in codes(records[name]), name


def test_heic_that_will_not_decode(wild: Path) -> None:
    records = read_class(wild, "heic_undecodable")
    for name in ("bigcat88-pillow_heif__corrupted.heic", "bigcat88-pillow_heif__corrupted.hif",
                 "bigcat88-pillow_heif__truncated.heic", "derived__arrow__cut_in_half.heic",
                 "strukturag-libheif__clusterfuzz-testcase-minimized-file-fuzzer-6045213633282048.heic",
                 "strukturag-libheif__github_138.heic"):
        assert records[name].error == "file-unreadable", name


@pytest.mark.parametrize(("folder", "count"), [("encrypted_legacy_office", 10), ("encrypted_odf", 6)])
def test_password_protected_office_files(wild: Path, folder: str, count: int) -> None:
    records = read_class(wild, folder)
    assert len(records) == count
    for record in records.values():
        assert record.error == "file-encrypted" and errors(record) == {"file-encrypted"}, record.path
        assert record.kind in ("word", "powerpoint", "spreadsheet"), record.path


def test_rights_managed_word_and_pdf(wild: Path) -> None:
    records = read_class(wild, "irm_protected_word_pdf")
    assert len(records) == 3
    for record in records.values():
        assert record.error == "file-protected", record.path
    assert "rights management (IRM)" in records["microsoft-BusyBox__taskbox_data_collection.docx"].problems[0].message
    assert "MicrosoftIRMServices" in records["derived__rc4-128__MicrosoftIRMServices_handler.pdf"].problems[0].message


def test_junk_named_as_evidence_is_an_error(wild: Path) -> None:
    records = read_class(wild, "junk_misnamed")
    assert len(records) == 7
    for record in records.values():
        assert errors(record), record.path
        assert "extension-mismatch" not in codes(record), record.path  # the error says it all
    assert records["apache-tika__file1.pdf"].problems[0].message.startswith(
        "apache-tika__file1.pdf is named as a PDF but holds a plain text file")
    assert records["derived__testMP4_StillImageTimeZero__zero_filled.mov"].error == "file-empty"
    assert "only zero bytes" in records["derived__testMP4_StillImageTimeZero__zero_filled.mov"].problems[0].message


# --- smaller disagreements -----------------------------------------------------------------------


def test_legacy_office_counts_are_the_saved_ones(wild: Path) -> None:
    records = read_class(wild, "legacy_doc_ppt_counts")
    expected = {  # exiftool's Words / Slides / Pages
        "nolze-msoffcrypto-tool__plain.doc": {"words": 0, "pages": 1},
        "decalage2-oletools__harmless-clean.doc": {"words": 39, "pages": 1},
        "apache-poi__word95err.doc": {"words": 538, "pages": 1},
        "nolze-msoffcrypto-tool__plain.ppt": {"slides": 1, "words": 2},
        "apache-poi__basic_test_ppt_file.ppt": {"slides": 2, "words": 54},
        "apache-poi__54880_chinese.ppt": {"slides": 1, "words": 15},
        "apache-tika__testPPT_masterText.ppt": {"slides": 1, "words": 0},
    }
    for name, figures in expected.items():
        assert {key: records[name].metadata.get(key) for key in figures} == figures, name
    basic = records["apache-poi__basic_test_ppt_file.ppt"].metadata
    assert (basic["title"], basic["author"], basic["created"]) == ("This is a test title", "Hogwarts",
                                                                 "2005-05-13T16:59:39+00:00")
    for name in ("apache-poi__word2.doc", "openpreserve-format-corpus__NEWSSLID.DOC", "apache-poi__Word6_sections.doc"):
        record = records[name]  # Word 2 (before compound files) and a Word 6 file without counts
        assert (record.kind, record.format, record.error, codes(record)) == ("word", "doc", None, {"legacy-format"})


def test_flac_lengths(wild: Path) -> None:
    records = read_class(wild, "flac")
    lengths = {"androidx-media__bear_no_seek_table.flac": 2.741, "androidx-media__bear_with_picture.flac": 2.741,
               "androidx-media__bear_32bit.flac": 2.741, "Borewit-music-metadata__Lavf.flac": 5.0,
               "Borewit-music-metadata__libFLAC.flac": 5.0, "apache-tika__testFLAC_coverArt.flac": 0.022,
               # STREAMINFO says 0 samples ("unknown"): the last frame's number gives the length
               "androidx-media__bear_no_seek_table_no_num_samples.flac": 2.741}
    for name, seconds in lengths.items():
        assert (records[name].kind, records[name].problems) == ("audio", []), name
        assert played(records[name]) == pytest.approx(seconds, abs=0.01), name


def test_adpcm_wav_lengths(wild: Path) -> None:
    records = read_class(wild, "adpcm_wav")
    lengths = {"androidx-media__sample_ima_adpcm.wav": 1.018, "Borewit-music-metadata__dvi_adpcm.wav": 0.1,
               "Borewit-music-metadata__issue-92.wav": 211.35, "derived__sample_8bit__ms_adpcm.wav": 1.016}
    for name, seconds in lengths.items():
        assert played(records[name]) == pytest.approx(seconds, abs=0.02), name


def test_heic_size_after_its_crop_box(wild: Path) -> None:
    records = read_class(wild, "heic_crop_clap")
    for name, record in records.items():
        expected = (32, 32) if name == "strukturag-libheif__hevc32.heif" else (29, 100)  # heif-info
        assert (record.metadata["width"], record.metadata["height"]) == expected, name


def test_strict_ooxml_workbooks_have_their_sheets(wild: Path) -> None:
    import re
    import zipfile

    records = read_class(wild, "strict_ooxml_xlsx")
    for name, record in records.items():
        with zipfile.ZipFile(wild / "strict_ooxml_xlsx" / name) as package:
            names = re.findall(rb'<sheet [^>]*name="([^"]*)"', package.read("xl/workbook.xml"))
        assert record.metadata["sheets"] == [n.decode() for n in names], name
        assert record.error is None and record.metadata["strict"] is True
    assert "rich test" in records["apache-poi__sample.strict.xlsx"].metadata["sheets"]
    assert records["apache-poi__SimpleStrict.xlsx"].text


def test_a_gps_block_without_a_position_is_not_a_location(wild: Path) -> None:
    records = read_class(wild, "photo_zero_gps")
    assert len(records) == 7
    for record in records.values():
        assert record.metadata["has_gps"] is False, record.path


@pytest.mark.parametrize("folder", ["pdf_no_eof", "pdf_damaged_xref"])
def test_damaged_pdfs_print_nothing_but_the_report(wild: Path, folder: str) -> None:
    """pypdf logs what it repairs ("incorrect startxref pointer"); readers run in worker processes whose
    stderr is the user's terminal, where such lines mean nothing: the damage is reported as findings."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "portfolio_check", "check", str(wild / folder), "--standard", "ST0792",
                           "--format", "json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stderr == ""
    report = json.loads(done.stdout)
    assert {"file-damaged", "file-truncated"} & {f["code"] for f in report["findings"]}


def test_pictures_with_corrupt_exif_print_nothing_but_the_report(corpus: Path, tmp_path: Path) -> None:
    """Pillow warns "Corrupt EXIF data" while the picture is looked at for a page of text; the warning
    must not reach the terminal of `check` or `inspect`, in the worker processes or in this one."""
    import subprocess
    import sys
    import warnings

    folder = tmp_path / "Sam Patel 1234567899"
    folder.mkdir()
    for name in ("broken.jpg", "endless_loop.jpg"):
        (folder / name).write_bytes((corpus / "mindeng-nom-exif" / "testdata" / name).read_bytes())
    for command in (["check", str(folder), "--standard", "ST0792"], ["inspect", str(folder)]):
        done = subprocess.run([sys.executable, "-m", "portfolio_check", *command],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode in (0, 1) and done.stderr == "", command
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        records = [extract_file(item) for item in ingest(folder).files]
    assert [r.kind for r in records] == ["image", "image"]
