"""`make bench`: accuracy and speed of insight on this machine, written to bench/results/.

    python -m bench                 # every section but ON_REQUEST's, each in its own process
    python -m bench --only speed    # one section (see SECTIONS)

The whole run is meant to stay under the 20 minutes issue 7 allows on 2 cores: the peers
section takes about 6 (six systems on five data sets, a few pairs left out for time) and the
serve section about 6 (its soak alone is the 5 minutes issue 6 asks for). The morphology
analysis behind the choice of stems, the unseen-industries view and the comparison of
selection strategies for `insight suggest` run on request only (`--only morphology`,
`--only unseen`, `--only strategies`).

Deterministic seeds; never part of `make test`. Public data is read from ../shared/datasets
and never copied into the repository.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.peers import PUBLIC, bench_peers, insight_in_memory, render_peers
from bench.retraining import (
    bench_retraining,
    bench_strategies,
    render_retraining,
    render_strategies,
)
from bench.transfer import bench_transfer, render_transfer

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SHARED = ROOT.parent / "shared" / "datasets"


def _machine() -> str:
    return f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}"


def _corpus_split(name: str) -> Any:
    from insight.labeled import read_labeled

    data = read_labeled(ROOT / "data" / "corpus.csv")
    return data.subset([s == name for s in data.splits or []])


def bench_corpus() -> dict[str, Any]:
    """The shipped default model on the corpus test split (never used for tuning)."""
    from insight.persistence import load_model
    from insight.workflow import score
    from training.contract_view import contract_report

    tagger = load_model(ROOT / "models" / "default")
    test = _corpus_split("test")
    with_scores = score(tagger, test)
    without = score(
        tagger,
        type(test)(
            test.source,
            test.text_column,
            test.label_names,
            test.texts,
            test.labels,
            test.languages,
            test.splits,
            None,
        ),
    )
    waves = _test_rows_by_wave()
    older = [not any(column) for column in zip(*waves.values(), strict=True)]
    by_wave = {}
    for name, keep in (*waves.items(), ("waves 1-3", older)):
        metrics = score(tagger, test.subset(keep))
        by_wave[name] = {
            "rows": sum(keep),
            "micro_f1": metrics["micro"]["f1"],
            "polarity_accuracy": metrics["polarity_accuracy"],
        }
    return {
        "with_scores": with_scores,
        "text_only": without,
        "test_by_wave": by_wave,
        "language": _language_accuracy(test.texts, test.languages or []),
        # The model, and the corpus labels, against two readers of the taxonomy alone on 600
        # test rows: the nearest view we have of an evaluation set labelled from the contract
        # by people who never read our guide.
        "contract_view": contract_report(tagger),
    }


def _language_accuracy(texts: list[str], gold: list[str]) -> dict[str, Any]:
    """How often `detect_language` names the corpus's own language of a test row: all rows,
    and those of four words or fewer, where function words are scarce."""
    from insight.text import detect_language

    hits = [detect_language(t) == g for t, g in zip(texts, gold, strict=True)]
    short = [h for t, h in zip(texts, hits, strict=True) if len(t.split()) <= 4]
    return {
        "rows": len(hits),
        "accuracy": round(sum(hits) / len(hits), 4),
        "short_rows": len(short),
        "short_accuracy": round(sum(short) / len(short), 4) if short else None,
    }


def _wave_ids() -> dict[str, set[str]]:
    """The corpus rows of each wave with an annotation record ("wave 4", "wave 5", ...), in
    wave order."""
    import csv

    waves = {}
    records = (ROOT / "data" / "annotations").glob("wave*.csv")
    for record in sorted(records, key=lambda path: int(path.stem.removeprefix("wave"))):
        with open(record, encoding="utf-8", newline="") as h:
            waves[f"wave {record.stem.removeprefix('wave')}"] = {
                row["id"] for row in csv.DictReader(h)
            }
    return waves


def _test_rows_by_wave() -> dict[str, list[bool]]:
    """Per corpus wave with an annotation record: per test row (file order), whether that
    wave wrote it. Later waves bring new industries and voices, so their rows show how the
    model does on unfamiliar comments."""
    import csv

    with open(ROOT / "data" / "corpus.csv", encoding="utf-8", newline="") as h:
        test_ids = [row["id"] for row in csv.DictReader(h) if row["split"] == "test"]
    return {name: [i in ids for i in test_ids] for name, ids in _wave_ids().items()}


def unseen_split(
    rows: list[tuple[str, str]], splits: list[str], waves: dict[str, set[str]]
) -> tuple[str, set[str], list[bool], list[bool]]:
    """The held-out-industries split of `bench_unseen`: the latest wave that brought industries
    no other row has (a wave may add only voices), its new industries, the train rows outside
    that wave, and the wave's train and dev rows in its new industries.

    Rows are (id, industry) in file order; the wave's rows in industries other rows also have
    stay out of both sides, since the fit must not see the wave and they are not unseen.

    >>> rows = [("a", "bank"), ("b", "bank"), ("c", "zoo"), ("d", "zoo"), ("e", "bank")]
    >>> unseen_split(rows, ["train", "dev", "train", "test", "train"], {"wave 2": {"c", "d", "e"}})
    ('wave 2', {'zoo'}, [True, False, False, False, False], [False, False, True, False, False])
    """
    name, wave, unseen = next(
        (name, wave, new)
        for name, wave in reversed(waves.items())
        if (new := {k for i, k in rows if i in wave} - {k for i, k in rows if i not in wave})
    )
    pairs = list(zip(splits, rows, strict=True))
    in_train = [s == "train" and i not in wave for s, (i, _) in pairs]
    held_out = [s != "test" and i in wave and k in unseen for s, (i, k) in pairs]
    return name, unseen, in_train, held_out


def bench_unseen() -> dict[str, Any]:
    """Industries the model never saw: fit on the train split without the latest corpus wave
    that brought new industries, score that wave's train and dev rows of those industries.

    Its test rows stay out, as every test row does. The default configuration, as
    `insight train` would fit it: a view of how the model carries to a new company's comments.
    """
    import csv

    from insight.labeled import read_labeled
    from insight.tagger import Tagger
    from insight.workflow import score

    with open(ROOT / "data" / "corpus.csv", encoding="utf-8", newline="") as h:
        rows = [(row["id"], row["industry"]) for row in csv.DictReader(h)]
    data = read_labeled(ROOT / "data" / "corpus.csv")
    name, unseen, in_train, held_out = unseen_split(rows, data.splits or [], _wave_ids())
    train, held = data.subset(in_train), data.subset(held_out)
    started = time.perf_counter()
    tagger = Tagger(random_state=0, n_jobs=-1).fit(train.texts, train.labels, scores=train.scores)
    return {
        "wave": name,
        "industries": sorted(unseen),
        "train_rows": len(train.texts),
        "scored_rows": len(held.texts),
        "metrics": score(tagger, held),
        "seconds": round(time.perf_counter() - started, 1),
    }


def bench_public() -> dict[str, Any]:
    """`insight train` / `insight evaluate` on the public sets, as a user would run them."""
    from insight.workflow import evaluate_file, train_from_file

    out: dict[str, Any] = {}
    for name, (folder, published) in PUBLIC.items():
        if name == "MAMS-ACSA":  # XML only: parsed in memory and fit through the library
            out[name] = {**insight_in_memory(name), "published": published}
            continue
        train, test = SHARED / folder / "train.csv", SHARED / folder / "test.csv"
        if not train.exists():
            out[name] = {"skipped": f"{train} not found"}
            continue
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            train_from_file(train, Path(tmp) / "m")
            seconds = time.perf_counter() - started
            metrics = evaluate_file(test, Path(tmp) / "m")
        out[name] = {"metrics": metrics, "train_seconds": round(seconds, 1), "published": published}
    return out


def bench_morphology() -> dict[str, Any]:
    """Why `morphology="stem"`: dev micro-F1 and feature speed per choice (fit on train)."""
    from insight.features import CommentVectorizer, prepare
    from insight.tagger import Tagger
    from insight.workflow import score

    train, dev = _corpus_split("train"), _corpus_split("dev")
    out: dict[str, Any] = {}
    for mode in ("auto", "stem", "none"):
        tagger = Tagger(morphology=mode, n_jobs=-1).fit(
            train.texts, train.labels, scores=train.scores
        )
        metrics = score(tagger, dev)
        prepared = [prepare(t) for t in dev.texts]
        vectorizer = CommentVectorizer(morphology=mode).fit_prepared(prepared)
        started = time.process_time()
        vectorizer.transform_prepared(prepared)
        per_second = len(prepared) / max(time.process_time() - started, 1e-9)
        out[mode] = {
            "dev_micro_f1": metrics["micro"]["f1"],
            "dev_polarity": metrics["polarity_accuracy"],
            "features_per_second": round(per_second),
        }
    started = time.perf_counter()
    from insight.text import _lookup_table

    _lookup_table("pl")
    out["polish_lemma_table_load_seconds"] = round(time.perf_counter() - started, 1)
    out["toolkits"] = _toolkit_speed([*train.texts, *dev.texts], train.languages or [])
    return out


def _toolkit_speed(texts: list[str], languages: list[str]) -> dict[str, Any]:
    """The candidates the issue named: spaCy's blank tokenizer and NLTK's Snowball stemmers,
    against the regex tokenizer and PyStemmer that insight uses (CPU seconds, one core)."""
    from insight.text import normalize, tokenize

    out: dict[str, Any] = {}
    normalized = [normalize(t) for t in texts]
    try:
        import spacy

        for lang in ("en", "ru", "pl"):
            sample = [
                t for t, language in zip(normalized, languages, strict=False) if language == lang
            ][:2_000]
            nlp = spacy.blank(lang)
            started = time.process_time()
            for doc in nlp.tokenizer.pipe(sample):
                [w.text for w in doc]
            spacy_rate = len(sample) / max(time.process_time() - started, 1e-9)
            started = time.process_time()
            for text in sample:
                tokenize(text)
            regex_rate = len(sample) / max(time.process_time() - started, 1e-9)
            out[f"tokenizer_{lang}"] = {
                "spacy_blank_per_s": round(spacy_rate),
                "insight_regex_per_s": round(regex_rate),
            }
    except ImportError:
        out["tokenizer"] = "spaCy not installed (pip install -e '.[bench]')"
    try:
        import Stemmer
        from nltk.stem.snowball import SnowballStemmer

        words = [w for t in normalized[:3_000] for w in tokenize(t)]
        for name in ("english", "russian"):
            nltk_stem, py_stem = SnowballStemmer(name), Stemmer.Stemmer(name)
            started = time.process_time()
            a = [nltk_stem.stem(w) for w in words]
            nltk_rate = len(words) / max(time.process_time() - started, 1e-9)
            started = time.process_time()
            b = [py_stem.stemWord(w) for w in words]
            py_rate = len(words) / max(time.process_time() - started, 1e-9)
            same = sum(x == y for x, y in zip(a, b, strict=True)) / len(words)
            out[f"stemmer_{name}"] = {
                "nltk_words_per_s": round(nltk_rate),
                "pystemmer_words_per_s": round(py_rate),
                "same_output": round(same, 4),
            }
    except ImportError:
        out["stemmer"] = "NLTK not installed (pip install -e '.[bench]')"
    return out


def _distinct_comments() -> list[str]:
    """Every distinct comment of the corpus and of the sample export's sources."""
    from insight.labeled import read_labeled

    texts = read_labeled(ROOT / "data" / "corpus.csv").texts
    with open(
        ROOT / "data" / "examples" / "sources" / "nordlink_comments.jsonl", encoding="utf-8"
    ) as handle:
        texts += [json.loads(line)["text"] for line in handle if line.strip()]
    return list(dict.fromkeys(t for t in texts if t.strip()))


def _cold_caches(tagger: Any) -> None:
    """Forget every per-word cache (not the lemma tables), so a second run starts cold."""
    from insight import lexicon, text

    text._CACHES.clear()
    text._TOKEN_FORMS.clear()
    text._WORD_TRIGRAM_SCORES.clear()
    lexicon.default_lexicon.cache_clear()
    tagger.vectorizer_.clear_caches()
    tagger.__dict__.pop("_cue_cache", None)


def bench_speed() -> dict[str, Any]:
    """Batch and single-comment prediction with the default model; training time on 5,000."""
    from insight.persistence import load_model
    from insight.tagger import Tagger

    tagger = load_model(ROOT / "models" / "default")
    comments = _corpus_split("test").texts + _corpus_split("dev").texts
    # Distinct comments, each seen once: the per-word caches start cold, as on a new export
    # (a batch that repeats comments would measure warm caches).
    batch = _distinct_comments()
    tagger.predict(comments[:20])  # loads the lemma tables and the Russian analyser
    started = time.perf_counter()
    tagger.predict(batch)
    batch_rate = len(batch) / (time.perf_counter() - started)
    _cold_caches(tagger)
    started = time.perf_counter()
    tagger.predict(batch, n_jobs=-1)
    parallel_rate = len(batch) / (time.perf_counter() - started)
    _cold_caches(tagger)
    latencies = []
    for text in comments[:2_000]:
        started = time.perf_counter()
        tagger.predict([text])
        latencies.append(time.perf_counter() - started)
    latencies.sort()
    train = _corpus_split("train")
    rng = random.Random(0)
    rows = rng.sample(range(len(train.texts)), 5_000)
    started = time.perf_counter()
    Tagger(n_jobs=-1).fit(
        [train.texts[i] for i in rows],
        [train.labels[i] for i in rows],
        scores=[(train.scores or [])[i] for i in rows] if train.scores else None,
    )
    train_seconds = time.perf_counter() - started
    return {
        "batch_size": len(batch),
        "batch_comments_per_second": round(batch_rate),
        "batch_all_cores_comments_per_second": round(parallel_rate),
        "single_median_ms": round(1000 * statistics.median(latencies), 3),
        "single_p99_ms": round(1000 * latencies[int(0.99 * len(latencies))], 3),
        "train_5000_seconds": round(train_seconds, 1),
    }


# Runs a command and prints the peak RSS (kB) of it and its waited-for descendants: a fresh
# process, so processes started earlier in the bench (forked predict workers) do not count.
_PEAK_RSS_OF = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
    "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def bench_tag(sizes: tuple[int, ...] = (100_000, 1_000_000)) -> dict[str, Any]:
    """`insight tag` end to end, CSV in to CSV out, in a child process (for its peak RSS)."""
    with open(
        ROOT / "data" / "examples" / "nps_export.csv", encoding="utf-8", newline=""
    ) as handle:
        source_rows = list(csv.DictReader(handle))
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = Path(tmp) / f"export_{size}.csv"
            with open(path, "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(source_rows[0]))
                writer.writeheader()
                for i in range(size):
                    row = dict(source_rows[i % len(source_rows)])
                    row["response_id"] = f"{i:08d}"
                    writer.writerow(row)
            command = [
                sys.executable,
                "-m",
                "insight.cli",
                "tag",
                str(path),
                "-o",
                str(Path(tmp) / "out.csv"),
            ]
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-c", _PEAK_RSS_OF, *command],
                check=True,
                capture_output=True,
                text=True,
            )
            seconds = time.perf_counter() - started
            out[f"{size:,} rows"] = {
                "seconds": round(seconds, 1),
                "rows_per_second": round(size / seconds),
                # the largest of `insight tag` and its workers, this run only
                "peak_rss_mb_any_child": round(int(done.stdout.split()[-1]) / 1024),
            }
    return out


def bench_report(size: int = 1_000_000) -> dict[str, Any]:
    """`insight report` end to end on a tagged CSV of `size` rows (bootstrap included)."""
    from insight.batch import tag_export

    with tempfile.TemporaryDirectory() as tmp:
        tagged = Path(tmp) / "tagged.csv"
        tag_export(ROOT / "data" / "examples" / "nps_export.csv", tagged, progress=False)
        with open(tagged, encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        big = Path(tmp) / f"tagged_{size}.csv"
        with open(big, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(rows[0])
            body = rows[1:]
            for i in range(size):
                writer.writerow(body[i % len(body)])
        command = [
            sys.executable,
            "-m",
            "insight.cli",
            "report",
            str(big),
            "-o",
            str(Path(tmp) / "r.html"),
            "--json",
            str(Path(tmp) / "r.json"),
            "--segment-col",
            "channel",
            "region",
            "plan",
        ]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        seconds = time.perf_counter() - started
    return {"rows": size, "seconds": round(seconds, 1)}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, from /proc (loopback server only)."""
    total, pids = 0, [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                pids.append(int(entry.name))
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


def _post(connection: Any, body: bytes) -> tuple[int, float]:
    started = time.perf_counter()
    connection.request(
        "POST", "/v1/classify", body=body, headers={"Content-Type": "application/json"}
    )
    response = connection.getresponse()
    response.read()
    return response.status, time.perf_counter() - started


def bench_serve(seconds: int = 20, soak_seconds: int = 300, soak_rate: int = 150) -> dict[str, Any]:
    """`insight serve` with 2 workers on 127.0.0.1, loaded by wrk (single comments) and a paced
    client (100-comment batches, then a steady-rate soak). Bounded in count and time."""
    import http.client
    import shutil

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "insight.cli", "serve", "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    out: dict[str, Any] = {}
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        time.sleep(3)  # both workers up
        single = json.dumps(
            {"texts": ["The courier was late and the support chat never answered"]}
        ).encode()
        if shutil.which("wrk"):
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
                script.write(
                    'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                    f"wrk.body = {json.dumps(single.decode())}\n"
                )
            result = subprocess.run(
                [
                    "wrk",
                    "-t1",
                    "-c8",
                    f"-d{seconds}s",
                    "--latency",
                    "-s",
                    script.name,
                    f"http://127.0.0.1:{port}/v1/classify",
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            os.unlink(script.name)
            text = result.stdout
            out["wrk_single"] = {
                "requests_per_second": float(text.split("Requests/sec:")[1].split()[0]),
                "latency": {
                    line.split()[0]: line.split()[1]
                    for line in text.splitlines()
                    if line.strip().endswith(("ms", "us", "s"))
                    and line.strip()[:3] in ("50%", "75%", "90%", "99%")
                },
                "non_2xx": int(text.split("Non-2xx or 3xx responses:")[1].split()[0])
                if "Non-2xx" in text
                else 0,
                "socket_errors": "Socket errors" in text,
            }
        else:
            out["wrk_single"] = "wrk not installed (apt-get install wrk)"
        comments = _corpus_split("test").texts[:100]
        batch = json.dumps({"texts": comments}).encode()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        times, errors = [], 0
        for _ in range(200):
            status, elapsed = _post(connection, batch)
            errors += status != 200
            times.append(elapsed)
        times.sort()
        out["batch_100"] = {
            "p50_ms": round(1000 * times[len(times) // 2], 1),
            "p99_ms": round(1000 * times[int(0.99 * len(times))], 1),
            "errors": errors,
        }
        rss_start = _tree_rss_mb(server.pid)
        sent = errors = 0
        latencies = []
        started = time.perf_counter()
        while time.perf_counter() - started < soak_seconds:
            due = started + sent / soak_rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            status, elapsed = _post(connection, single)
            errors += status != 200
            latencies.append(elapsed)
            sent += 1
        latencies.sort()
        rss_end = _tree_rss_mb(server.pid)
        out["soak"] = {
            "seconds": soak_seconds,
            "rate_per_second": soak_rate,
            "requests": sent,
            "errors": errors,
            "p50_ms": round(1000 * latencies[len(latencies) // 2], 2),
            "p99_ms": round(1000 * latencies[int(0.99 * len(latencies))], 2),
            "rss_start_mb": rss_start,
            "rss_end_mb": rss_end,
            "rss_growth": round((rss_end - rss_start) / rss_start, 4) if rss_start else None,
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
    return out


# Run only when asked for (`--only NAME`): analyses behind a settled choice or a view that no
# target asks for (unseen industries: it changes only with the corpus, lexicon or model; the
# selection strategies next to `insight suggest`), kept
# out of the full run so `make bench` stays within its 20 minutes.
ON_REQUEST = frozenset({"morphology", "unseen", "strategies"})
SECTIONS = {
    "corpus": bench_corpus,
    "unseen": bench_unseen,
    "public": bench_public,
    "transfer": bench_transfer,
    "morphology": bench_morphology,
    "speed": bench_speed,
    "tag": bench_tag,
    "peers": bench_peers,
    "report": bench_report,
    "serve": bench_serve,
    "retraining": bench_retraining,
    "strategies": bench_strategies,
}


def render(results: dict[str, Any]) -> str:
    lines = [
        f"# insight benchmarks\n\nMeasured {results['date']} on this machine ({results['machine']}) by "
        "`make bench` (`python -m bench`).\n"
    ]
    if "corpus" in results:
        lines.append("## Default model on the corpus test split\n")
        lines.append(
            "| scores given | micro P | micro R | micro F1 | macro F1 | polarity acc. | en | ru | pl |"
        )
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for key, title in (("with_scores", "yes"), ("text_only", "no")):
            m = results["corpus"][key]
            lang = m["by_language"]
            lines.append(
                f"| {title} | {m['micro']['precision']:.3f} | {m['micro']['recall']:.3f} | "
                f"{m['micro']['f1']:.3f} | {m['macro_f1']:.3f} | {m['polarity_accuracy']:.3f} | "
                f"{lang.get('en', 0):.3f} | {lang.get('ru', 0):.3f} | {lang.get('pl', 0):.3f} |"
            )
        waves = results["corpus"].get("test_by_wave", {})
        if waves:
            lines.append(
                "\nBy corpus wave (scores given): "
                + "; ".join(
                    f"{name}: {w['rows']:,} test rows, micro F1 {w['micro_f1']:.3f}"
                    + (
                        f", polarity {w['polarity_accuracy']:.3f}"
                        if w.get("polarity_accuracy") is not None
                        else ""
                    )
                    for name, w in waves.items()
                )
                + "."
            )
        m = results["corpus"]["with_scores"]
        lines.append("\n| factor | precision | recall | F1 | support |\n|---|---:|---:|---:|---:|")
        for name, v in m["labels"].items():
            lines.append(
                f"| {name} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |"
            )
        language = results["corpus"].get("language")
        if language:
            lines.append(
                f"\nLanguage detection on the {language['rows']:,} test rows: "
                f"{language['accuracy']:.1%} name the row's language; on the "
                f"{language['short_rows']:,} rows of four words or fewer, "
                f"{language['short_accuracy']:.1%}."
            )
        view = results["corpus"].get("contract_view")
        if view:
            lines.append(
                "\nAgainst readers of the taxonomy alone (600 test rows labelled blind by two "
                "readers who saw only `taxonomy.md`; `python -m training.contract_view`):\n\n"
                "| comparison | micro P | micro R | micro F1 | polarity | quality | "
                "service | convenience | price | emotion |\n"
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
            )
            for name, v in view.items():
                pol = f"{v['polarity']:.3f}" if v["polarity"] is not None else "-"
                lines.append(
                    f"| {name} | {v['precision']:.3f} | {v['recall']:.3f} | "
                    f"{v['micro_f1']:.3f} | {pol} | "
                    + " | ".join(f"{v['labels'][f]:.3f}" for f in v["labels"])
                    + " |"
                )
    if "unseen" in results:
        u = results["unseen"]
        m = u["metrics"]
        lines.append(
            f"\n## Industries never seen in training\n\nFit on the {u['train_rows']:,} train rows "
            f"outside corpus {u['wave']}, scored on that wave's {u['scored_rows']:,} train and dev "
            f"rows in the industries ({', '.join(u['industries'])}) the fit never saw "
            f"({u['seconds']} s): micro F1 {m['micro']['f1']:.3f}, polarity accuracy "
            f"{m['polarity_accuracy']:.3f}; "
            + ", ".join(f"{name} {v['f1']:.3f}" for name, v in m["labels"].items())
            + "."
        )
    if "public" in results:
        lines.append("\n## Public data: `insight train` then `insight evaluate`\n")
        lines.append(
            "| data set | micro F1 | polarity acc. | train s | published (micro F1) |\n|---|---:|---:|---:|---|"
        )
        for name, r in results["public"].items():
            if "skipped" in r:
                lines.append(f"| {name} | skipped: {r['skipped']} | | | |")
                continue
            m = r["metrics"]
            lines.append(
                f"| {name} | {100 * m['micro']['f1']:.2f} | {100 * (m['polarity_accuracy'] or 0):.2f} | "
                f"{r['train_seconds']} | {r['published']} |"
            )
    if "morphology" in results:
        r = results["morphology"]
        lines.append("\n## Morphology (fit on train, scored on dev)\n")
        lines.append(
            "| morphology | dev micro F1 | dev polarity | features/s (1 core) |\n|---|---:|---:|---:|"
        )
        for mode in ("auto", "stem", "none"):
            v = r[mode]
            lines.append(
                f"| {mode} | {v['dev_micro_f1']:.4f} | {v['dev_polarity']:.4f} | {v['features_per_second']:,} |"
            )
        lines.append(
            f"\nspaCy's Polish lemma tables take {r['polish_lemma_table_load_seconds']} s to load; "
            "`auto` uses them for no language (Snowball for Polish)."
        )
        lines.append(
            "\nThe toolkits the issue named, against what insight uses (one core, CPU time):\n"
        )
        for name, v in r.get("toolkits", {}).items():
            lines.append(f"- {name}: {v}")
    if "peers" in results:
        lines.extend(render_peers(results["peers"]))
    if "report" in results:
        r = results["report"]
        lines.append(
            f"\n## `insight report`\n\n- {r['rows']:,} tagged rows, CSV in, HTML and JSON out, with the bootstrap: {r['seconds']} s"
        )
    if "serve" in results:
        r = results["serve"]
        lines.append("\n## `insight serve`, 2 workers on 127.0.0.1\n")
        lines.append(f"- single comment, wrk (1 thread, 8 connections): {r['wrk_single']}")
        lines.append(f"- 100-comment batch, one client: {r['batch_100']}")
        lines.append(f"- soak: {r['soak']}")
    if "speed" in results:
        s = results["speed"]
        lines.append("\n## Speed of the default model\n")
        lines.append(
            f"- batch prediction, {s['batch_size']:,} distinct comments, one process: {s['batch_comments_per_second']:,} comments/s"
        )
        lines.append(
            f"- the same batch on every core (`predict(..., n_jobs=-1)`): {s['batch_all_cores_comments_per_second']:,} comments/s"
        )
        lines.append(
            f"- one comment at a time: median {s['single_median_ms']} ms, p99 {s['single_p99_ms']} ms"
        )
        lines.append(
            f"- training on 5,000 comments with threshold tuning (2 threads): {s['train_5000_seconds']} s"
        )
    if "tag" in results:
        lines.append("\n## `insight tag`, CSV in to CSV out, all cores\n")
        lines.append(
            "| rows | seconds | rows/s | peak RSS of a child (MB) |\n|---:|---:|---:|---:|"
        )
        for size, v in results["tag"].items():
            lines.append(
                f"| {size} | {v['seconds']} | {v['rows_per_second']:,} | {v['peak_rss_mb_any_child']} |"
            )
    if "transfer" in results:
        lines.append(render_transfer(results["transfer"]))
    if "retraining" in results:
        lines.append(render_retraining(results["retraining"]))
    if "strategies" in results:
        lines.append(render_strategies(results["strategies"]))
    if "section_seconds" in results:
        times = ", ".join(f"{k} {v:,.0f} s" for k, v in results["section_seconds"].items())
        total = results.get("total_seconds")
        lines.append(f"\nWall time: {times}" + (f"; total {total:,.0f} s." if total else "."))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": _machine(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    begun = time.perf_counter()
    names = args.only or [name for name in SECTIONS if name not in ON_REQUEST]
    for name in names:
        started = time.perf_counter()
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        if len(names) > 1:
            # Each section in a fresh interpreter: one that loads big tables (morphology) or
            # forks workers must not slow down or inflate the memory of the next.
            subprocess.run([sys.executable, "-m", "bench", "--only", name], check=True)
            saved = json.loads((RESULTS / f"results-{name}.json").read_text(encoding="utf-8"))
            results[name] = saved[name]
            seconds = saved["section_seconds"][name]
        else:
            results[name] = SECTIONS[name]()
            seconds = time.perf_counter() - started
            # One file per section, written as soon as it is done: a later section that
            # fails does not lose the earlier ones, and a rerun replaces only its own.
            alone = {"date": results["date"], "machine": results["machine"], name: results[name]}
            alone["section_seconds"] = {name: round(seconds, 1)}
            (RESULTS / f"results-{name}.json").write_text(
                json.dumps(alone, indent=2, ensure_ascii=False)
            )
            (RESULTS / f"results-{name}.md").write_text(render(alone), encoding="utf-8")
        results.setdefault("section_seconds", {})[name] = round(seconds, 1)
        print(f"bench: {name} done in {seconds:.0f} s", file=sys.stderr, flush=True)
    results["total_seconds"] = round(time.perf_counter() - begun, 1)
    if not args.only:
        (RESULTS / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
        (RESULTS / "results.md").write_text(render(results), encoding="utf-8")
    print(render(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
