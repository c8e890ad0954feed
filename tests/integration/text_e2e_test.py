#!/usr/bin/env python3
"""End to end: the text processor answers like Rekognition's DetectText, one image or a folder.

- `imagemill detect-text` on a printed page prints only the DetectText response on stdout: LINE
  entries first, then WORD entries whose ParentId is their line's Id, each with DetectedText,
  Confidence and Geometry (BoundingBox and a 4-point Polygon); --annotate writes the drawing.
- A bad Filters value is a start-up error (exit 2) naming the member.
- `imagemill run --processor text` on a folder stores a "text" answer per image (a photo without
  text answers no detections; a text file is skipped), beside the image's labels: `results
  --kind text` shows the lines, `get --kind text` the answer, a `get` of the wrong kind says which
  kind there is, and `query --label Text` finds the images with text and not the others.
- `run --extra-labels text` (and `detect-labels --extra-labels text`) answers DetectLabels with a
  "Text" label (category "Text and Documents", an instance per line) where words are read, and
  none on the photos; `query --label Text` then lists each image once, though both its labels
  and its text answer carry Text; `get --seed-item --kind text` is refused (the seed's item is
  made from a labels answer).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from e2e_support import CACHE, ENV, IMAGEMILL, SOURCE, expect, run  # noqa: E402,F401


def words(answer):
    return [d["DetectedText"] for d in answer["TextDetections"] if d["Type"] == "WORD"]


def main():
    subprocess.run([os.path.join(SOURCE, "scripts", "fetch-models.sh")], check=True, env=ENV)
    subprocess.run([os.path.join(SOURCE, "scripts", "fetch-label-eval.sh"),
                    os.path.join(SOURCE, "tests", "integration", "text_photos.txt"), "text-test"],
                   check=True, env=ENV)
    work = tempfile.mkdtemp(prefix="imagemill-text-")
    photos = os.path.join(work, "photos")
    os.makedirs(photos)
    for f in ("sk-text.png", "sk-page.png", "sk-coffee.png", "sk-chelsea.png"):
        shutil.copy(os.path.join(CACHE, "text-test", f), photos)
    with open(os.path.join(photos, "README.txt"), "w") as f:
        f.write("text, but not an image of it\n")
    db = ["--db", "sqlite:" + os.path.join(work, "text.db")]

    # 1. One image.
    drawn = os.path.join(work, "page-seen.png")
    p = run("detect-text", os.path.join(photos, "sk-text.png"), "--annotate", drawn, check=0)
    answer = json.loads(p.stdout)  # stdout holds the answer alone
    expect(set(answer) == {"TextDetections", "TextModelVersion"},
           "a DetectText response: " + ", ".join(sorted(answer)))
    dets = answer["TextDetections"]
    types = [d["Type"] for d in dets]
    expect(types and types == sorted(types), "every LINE before every WORD")
    lines = {d["Id"]: d for d in dets if d["Type"] == "LINE"}
    expect(all(d.get("ParentId") in lines for d in dets if d["Type"] == "WORD") and
           all("ParentId" not in d for d in lines.values()),
           "each word's ParentId is a line's Id; lines have none")
    expect([d["Id"] for d in dets] == list(range(len(dets))), "Ids number every entry from 0")
    for d in dets:
        g = d["Geometry"]
        b = g["BoundingBox"]
        if not (set(d) <= {"DetectedText", "Type", "Id", "ParentId", "Confidence", "Geometry"}
                and 0 <= d["Confidence"] <= 100 and len(g["Polygon"]) == 4
                and 0 <= b["Left"] <= 1 and 0 <= b["Top"] <= 1 and 0 < b["Width"] <= 1
                and all(0 <= pt["X"] <= 1 and 0 <= pt["Y"] <= 1 for pt in g["Polygon"])):
            sys.exit(f"FAILED: a detection outside Rekognition's shape: {d}")
    read = {w.strip(".,;:") for w in words(answer)}
    expect({"Men", "detestable", "noble", "sparkling"} <= read,
           "the printed page's words are read: " + " ".join(words(answer)[:12]) + " ...")
    first = lines[0]
    expect(" ".join(w["DetectedText"] for w in dets if w.get("ParentId") == 0)
           == first["DetectedText"], "a line's text is its words': " + first["DetectedText"])
    with open(drawn, "rb") as f:
        expect(f.read(4) == b"\x89PNG", "--annotate wrote a PNG")
    p = run("detect-text", os.path.join(photos, "sk-text.png"), "--settings",
            '{"Filters": {"WordFilter": {"MinConfidence": 101}}}', check=2)
    expect("Filters.WordFilter.MinConfidence" in p.stderr and p.stdout == "",
           "a bad filter: exit 2 naming it: " + p.stderr.strip())

    # 2. A folder.
    p = run("run", photos, *db, "--processor", "text", "--execution-name", "read", "--json",
            check=0)
    counts = json.loads(p.stdout)["itemCounts"]
    expect(counts["succeeded"] == 4 and counts["skipped"] == 1,
           f"four images answered, the text file skipped: {counts}")
    listing = run("results", *db, "--kind", "text", check=0).stdout
    rows = dict(line.split(None, 1) for line in listing.splitlines())
    expect("detestable" in rows["sk-text.png"] and rows["sk-coffee.png"].strip() == "no text",
           "results --kind text shows each image's lines, or no text")
    stored = json.loads(run("get", "sk-page.png", "--kind", "text", *db, check=0).stdout)
    expect(stored["kind"] == "text" and stored["processor"].startswith("text/pp-ocrv4-det"),
           "stored as a text answer by " + stored["processor"])
    expect("segmentation" in {w.strip(".,;:") for w in words(stored["response"])},
           "get --kind text: the stored answer")
    p = run("get", "sk-page.png", *db, check=1)
    expect("--kind text" in p.stderr, "a get of another kind says which there is: " + p.stderr.strip())
    hits = json.loads(run("query", "--label", "text", "--json", *db, check=0).stdout)
    ids = {h["id"] for h in hits}
    expect(ids == {"sk-text.png", "sk-page.png"} and all(h["kind"] == "text" for h in hits),
           "query --label text finds the pages and not the photos: " + ", ".join(sorted(ids)))

    # 3. The "Text" label, beside the text answers.
    one = json.loads(run("detect-labels", os.path.join(photos, "sk-text.png"), "--extra-labels",
                         "text", check=0).stdout)
    text_label = [l for l in one["Labels"] if l["Name"] == "Text"]
    expect(len(text_label) == 1 and text_label[0]["Categories"] == [{"Name": "Text and Documents"}]
           and text_label[0]["Parents"] == [] and len(text_label[0]["Instances"]) >= 1,
           "detect-labels --extra-labels text: a Text label, Rekognition's category, boxed lines")
    p = run("run", photos, *db, "--extra-labels", "text", "--execution-name", "labelled", "--json",
            check=0)
    expect(json.loads(p.stdout)["itemCounts"]["succeeded"] == 4, "a labels run with Text")
    labelled = json.loads(run("get", "sk-text.png", *db, check=0).stdout)
    expect(labelled["processor"].endswith("+text") and
           "Text" in [l["Name"] for l in labelled["response"]["Labels"]],
           "stored with the Text label by " + labelled["processor"])
    coffee = json.loads(run("get", "sk-coffee.png", *db, check=0).stdout)
    expect("Text" not in [l["Name"] for l in coffee["response"]["Labels"]],
           "no Text label on a photo without text")
    hits = json.loads(run("query", "--label", "Text", "--json", *db, check=0).stdout)
    ids = [h["id"] for h in hits]
    expect(sorted(ids) == ["sk-page.png", "sk-text.png"],
           "query --label Text lists each image once, with a labels and a text answer: " +
           ", ".join(f"{h['id']} ({h['kind']})" for h in hits))
    p = run("get", "sk-page.png", "--kind", "text", "--seed-item", *db, check=2)
    expect("--seed-item" in p.stderr and "labels" in p.stderr and p.stdout == "",
           "get --seed-item --kind text is refused: " + p.stderr.strip())
    shutil.rmtree(work)
    print("text e2e: all checks passed")


if __name__ == "__main__":
    main()
