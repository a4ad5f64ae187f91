"""Talking points: figures, sparse average linkage, keywords, the finder end to end, the CLI."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import subprocess
import sys
from datetime import date as Date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, HashingEncoder
from simdedup import Record, Store, TalkingPointFinder
from simdedup.cluster.figures import figures, figures_conflict
from simdedup.cluster.linkage import ClaimClusterer, average_linkage
from simdedup.cluster.naming import cluster_keywords, cluster_labels
from simdedup.errors import InputError

# A fictional news week: three claims told by several outlets in their own words, a wire copy,
# and statements that share the words but not the claim.
ANNIV = [
    (
        "v1",
        "VNA",
        "2024-03-04",
        "This year marks the 30th anniversary of diplomatic relations between Valdoria and "
        "Norvania, the foreign minister said at a reception in Ardenholm.",
    ),
    (
        "n1",
        "Northwind",
        "2024-03-06",
        "Valdoria and Norvania celebrate the 30th anniversary of their diplomatic relations this "
        "year, officials in both capitals said.",
    ),
    (
        "m1",
        "Meridian",
        "2024-03-20",
        "The two countries are marking thirty years of diplomatic relations, the Norvanian "
        "ambassador to Valdoria said on Tuesday.",
    ),
    (
        "v2",
        "VNA",
        "2024-04-02",
        "Valdoria and Norvania established diplomatic relations thirty years ago this year and "
        "will mark the 30th anniversary with a cultural festival.",
    ),
]
COPY = (
    "h1",
    "Harbor",
    "2024-03-05",
    "This year marks the 30th anniversary of diplomatic relations between Valdoria and "
    "Norvania, the foreign minister said at a reception in Ardenholm, the agency reported.",
)
OTHER_FIGURE = (
    "e1",
    "Estmark Tribune",
    "2024-03-07",
    "This year marks the 50th anniversary of diplomatic relations between Valdoria "
    "and Estmark, the foreign minister said at a reception in Lenhaven.",
)
CEASEFIRE = [
    (
        "v3",
        "VNA",
        "2024-03-10",
        "Valdoria calls for an immediate ceasefire in the Sorrel Strait and urges all parties to "
        "return to political negotiations.",
    ),
    (
        "n2",
        "Northwind",
        "2024-03-12",
        "Valdoria urged an immediate ceasefire in the Sorrel Strait and said the parties should "
        "go back to political talks.",
    ),
    (
        "g1",
        "Ledger",
        "2024-03-15",
        "An immediate ceasefire in the Sorrel Strait and a return to political negotiations are "
        "urgently needed, the Valdorian foreign ministry said.",
    ),
]
UNRELATED = [
    ("w1", "Ledger", "2024-03-08",
     "Heavy rain flooded the market district of Lenhaven and closed three schools overnight."),
    ("s1", "Meridian", "2024-03-09",
     "The national football team won the regional cup after a penalty shoot-out in the final."),
]  # fmt: skip
LATER = [
    ("g2", "Ledger", "2024-04-20",
     "Valdoria and Norvania are celebrating the 30th anniversary of diplomatic relations, "
     "with events planned in both capitals, the ministry said."),
    ("x0", "Eastbridge", "2024-02-27",
     "Valdoria and Norvania will mark the 30th anniversary of diplomatic relations this year, "
     "the Norvanian foreign ministry announced."),
]  # fmt: skip


def records(rows: list[tuple[str, str, str, str]]) -> list[Record]:
    return [Record(doc, text, outlet=outlet, date=day) for doc, outlet, day, text in rows]


CORPUS = records([*ANNIV, COPY, OTHER_FIGURE, *CEASEFIRE, *UNRELATED])


def by_pid(result: object) -> dict[str, str]:
    return {m.pid: tp.id for tp in result.talking_points for m in tp.members}  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def found(real_encoder: object) -> TalkingPointFinder:
    store = Store.memory(encoder=real_encoder, cache=None)  # type: ignore[arg-type]
    store.add(CORPUS)
    return TalkingPointFinder().fit(store)


# -- figures ---------------------------------------------------------------------------------


def test_figures_read_digits_words_ordinals_and_decades() -> None:
    assert figures("the 30th anniversary") == {30.0}
    assert figures("thirty years") == {30.0}
    assert figures("three decades of ties") == {30.0}
    assert figures("half a century") == {50.0}
    assert figures("twenty-five ships and 2,500 tonnes") == {25.0, 2500.0}
    assert figures("one of the first visits") == frozenset()


def test_calendar_years_are_not_figures() -> None:
    assert figures("ties formalised in 1994 and renewed in 2024") == frozenset()


def test_figures_conflict_only_when_both_state_disjoint_figures() -> None:
    assert figures_conflict(figures("the 30th anniversary"), figures("the 50th anniversary"))
    assert not figures_conflict(figures("the 30th anniversary"), figures("thirty years"))
    assert not figures_conflict(figures("the 30th anniversary"), figures("an anniversary"))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["30th", "1,200.5", "1994", "٣٠", "²", "half", "a", "century", "thirty",
                         "twenty-five", "decades", "hundred", "ⅷ", "one", "x-ray", " ", ", "]),
        max_size=12,
    ).map("".join)
)  # fmt: skip
def test_figures_skip_only_tokens_that_cannot_be_digits(text: str) -> None:
    """figures() tries the digit pattern only on tokens whose first character is a decimal
    digit; every token it skips must be one the pattern would not have matched."""
    from simdedup.cluster import figures as module

    tokens = [t.lower() for t in module._TOKEN.findall(text)]
    for token in tokens:
        assert (module._DIGITS.match(token) is not None) == token[0].isdecimal()
    assert all(chr(c).isdecimal() == bool(re.match(r"\d", chr(c))) for c in range(0x3000))


# -- sparse average linkage ------------------------------------------------------------------


def unit(rows: list[list[float]]) -> np.ndarray:
    x = np.array(rows, dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_average_linkage_does_not_chain_through_a_bridge() -> None:
    # a - bridge - b: each neighbour pair is close, but a and b are not.
    vectors = unit([[1, 0], [0.8, 0.6], [0.6, 0.8], [0, 1]])
    src, dst, sim = ClaimClusterer(0.7, k=3).graph(vectors)
    assert len(src) == len(set(zip(src.tolist(), dst.tolist())))
    assert (src < dst).all() and (sim >= 0.7).all()
    labels = average_linkage(vectors, src, dst, np.zeros(len(src)), 0.7, 1.0)
    # every member of a cluster is within reach on average: no cluster spans both ends
    assert labels[0] != labels[3]
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        if len(members) > 1:
            block = vectors[members] @ vectors[members].T
            mean = (block.sum() - len(members)) / (len(members) * (len(members) - 1))
            assert mean >= 0.7


def test_average_linkage_matches_dense_mean_and_penalises_conflicts() -> None:
    rng = np.random.default_rng(1)
    centre = rng.normal(size=16)
    vectors = unit([list(centre + 0.3 * rng.normal(size=16)) for _ in range(5)])
    src, dst, _ = ClaimClusterer(0.5, k=4).graph(vectors)
    together = average_linkage(vectors, src, dst, np.zeros(len(src)), 0.5, 1.0)
    assert len(set(together.tolist())) == 1
    conflicts = np.array([1.0 if 0 in (a, b) else 0.0 for a, b in zip(src, dst)])
    apart = average_linkage(vectors, src, dst, conflicts, 0.5, 1.0)
    assert (apart[1:] == apart[1]).all() and apart[0] != apart[1]


def test_clusterer_checks_its_settings() -> None:
    vectors = unit([[1, 0], [0, 1]])
    with pytest.raises(InputError, match="threshold"):
        ClaimClusterer(1.5).fit(vectors, lambda p: ["", ""])
    with pytest.raises(InputError, match="k must"):
        ClaimClusterer(k=0).fit(vectors, lambda p: ["", ""])


# -- keywords --------------------------------------------------------------------------------


def test_keywords_are_distinctive_and_bigrams_are_real_phrases() -> None:
    clusters = [
        ["the grain corridor must stay open", "keep the grain corridor open for food security",
         "the grain corridor stays open"],
        ["an immediate ceasefire in the strait", "a ceasefire now in the strait, she said"],
    ]  # fmt: skip
    background = ["the strait was calm", "open markets and food prices", "she said no more"]
    words = cluster_keywords(clusters, background, top=3)
    assert words[0][0] in ("grain corridor", "grain", "corridor")
    assert "ceasefire" in words[1]
    assert not any(w in ("said", "she said") for ws in words for w in ws)
    assert "corridor open" not in words[0]  # "corridor must stay open" is no phrase "corridor open"


def test_label_phrases_are_said_by_most_members_as_written() -> None:
    clusters = [
        ["Valdoria supports Norvania's rotating chairmanship, Dovan said.",
         "Dovan said Valdoria supports Norvania's rotating chairmanship of the council.",
         "Valdoria firmly supports Norvania's rotating chairmanship"],
        ["Trade rose to 18.6 billion dollars.", "Trade hit 18.6 billion dollars last year.",
         "Trade grew"],
        ["the strait", "the port"],  # nothing distinctive most members say
    ]  # fmt: skip
    labels = cluster_labels(clusters, ["the weather was mild", "markets were open"], top=3)
    assert labels[0][0] == "supports Norvania's rotating chairmanship"  # all three say it
    assert labels[1][0] == "18.6 billion dollars"  # a decimal point does not end a phrase
    assert labels[2][0] is None
    assert cluster_keywords(clusters, []) == [kw for _, kw in cluster_labels(clusters, [])]


def test_term_matrix_is_count_vectorizers_and_clauses_the_old_regexs() -> None:
    """The keyword pass counts terms by hand; it must be CountVectorizer's binary matrix with
    the analyzer it replaced, and its faster clause regex must cut where the old one did."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    from simdedup.cluster import keywords

    old_break = re.compile(r"(?<!\d)[.,]|[.,](?!\d)|[;:!?()\[\]\"“”«»—–]|\s-\s")
    texts = [json.loads(line)["text"] for line in (EXAMPLES / "corpus.jsonl").open()]
    texts += ["3.5, 1,000 - x - y; «z» (w) — v – u.", "", "a -b- c", "ÉTAT, état: 30th-Day"]
    assert [keywords._BREAK.split(t) for t in texts] == [old_break.split(t) for t in texts]
    stop = ENGLISH_STOP_WORDS | keywords.REPORTING

    def analyze(text: str) -> list[str]:  # the analyzer CountVectorizer was given before
        out: list[str] = []
        for clause in old_break.split(text):
            words = keywords._TOKEN.findall(clause.lower())
            keep = [w not in stop for w in words]
            out += [w for w, k in zip(words, keep) if k]
            out += [
                f"{a} {b}" for a, b, ka, kb in zip(words, words[1:], keep, keep[1:]) if ka and kb
            ]
        return out

    vectorizer = CountVectorizer(binary=True, analyzer=analyze)
    expected = vectorizer.fit_transform(texts)
    got = keywords._term_matrix([keywords._BREAK.split(t) for t in texts], stop)
    assert got is not None
    matrix, terms = got
    assert list(terms) == list(vectorizer.get_feature_names_out())
    assert (matrix != expected).nnz == 0 and matrix.shape == expected.shape
    assert keywords._term_matrix([["the"], []], stop) is None


def _example_clusters() -> tuple[list[list[str]], list[str]]:
    """The sample corpus's paragraphs, a few to a cluster, and some left over as background."""
    docs = [json.loads(line)["text"] for line in (EXAMPLES / "corpus.jsonl").open()]
    texts = [p for doc in docs for p in doc.split("\n\n")]
    sizes = [1 + i % 5 for i in range(60)]
    cuts = np.cumsum([0, *sizes])
    return [texts[a:b] for a, b in itertools.pairwise(cuts)], texts[cuts[-1] :]


def test_labels_from_worker_processes_are_the_same() -> None:
    """Naming in two processes (each a part, the idf merged here) gives the labels one does."""
    from simdedup.cluster.naming import _split

    clusters, background = _example_clusters()
    one = cluster_labels(clusters, background, workers=1)
    assert sum(bool(label) for label, _ in one) > 25 and sum(bool(k) for _, k in one) > 50
    assert cluster_labels(clusters, background, workers=2) == one
    assert cluster_labels(clusters, background, workers=3) == one
    for n in (1, 2, 3, 7):
        parts = [clusters[a:b] for a, b in _split(clusters, n)]
        assert [c for part in parts for c in part] == clusters and 1 <= len(parts) <= n
    sizes = [sum(len(c) for c in clusters[a:b]) for a, b in _split(clusters, 2)]
    assert abs(sizes[0] - sizes[1]) <= 5  # about equal texts (a cluster has at most 5)


def test_labels_from_terms_read_ahead_are_the_same() -> None:
    """Terms read text by text before the clusters are known (:class:`TermRows`, while the
    linkage runs) give the labels that reading each cluster's texts gives, in one process and
    in two; a text may sit in several clusters, and rows are read in any order."""
    from simdedup.cluster.keywords import TermRows
    from simdedup.cluster.naming import stop_words

    clusters, background = _example_clusters()
    clusters = [*clusters, clusters[3] + clusters[0][:1]]  # one text twice over
    texts = list(dict.fromkeys([t for c in clusters for t in c] + background))[::-1]
    row = {t: i for i, t in enumerate(texts)}
    terms = TermRows(stop_words())
    terms.read(texts[:10])
    terms.read(texts[10:])
    assert len(terms) == len(texts)
    read = (
        terms,
        [np.array([row[t] for t in c]) for c in clusters],
        np.array([row[t] for t in background]),
    )
    one = cluster_labels(clusters, background, workers=1)
    assert cluster_labels(clusters, background, workers=1, read=read) == one
    assert cluster_labels(clusters, background, workers=2, read=read) == one
    with pytest.raises(ValueError, match="one row per text"):
        cluster_labels(clusters, background, read=(terms, read[1][:-1], read[2]))


def test_worker_processes_do_not_rerun_a_script_without_a_main_guard(tmp_path: Path) -> None:
    """A spawned worker imports its parent's __main__; a user's script with no
    ``if __name__ == "__main__":`` would run again there. simdedup hides it from them."""
    script = tmp_path / "no_guard.py"
    script.write_text(
        "import json, sys\n"
        "from simdedup.cluster.naming import cluster_labels\n"
        "print('script ran', file=sys.stderr)\n"
        f"texts = [json.loads(l)['text'] for l in open({str(EXAMPLES / 'corpus.jsonl')!r})]\n"
        "clusters = [texts[i : i + 3] for i in range(0, 90, 3)]\n"
        "print(json.dumps(cluster_labels(clusters, texts[90:], workers=2)))\n"
    )
    got = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True
    )
    assert got.stderr.count("script ran") == 1, got.stderr
    assert "worker processes failed" not in got.stderr
    texts = [json.loads(line)["text"] for line in (EXAMPLES / "corpus.jsonl").open()]
    clusters = [texts[i : i + 3] for i in range(0, 90, 3)]
    expected = cluster_labels(clusters, texts[90:], workers=1)
    assert [tuple(x) for x in json.loads(got.stdout)] == [tuple(x) for x in expected]


# -- the finder, real model ------------------------------------------------------------------


def test_paraphrases_group_and_a_different_figure_stays_apart(found: TalkingPointFinder) -> None:
    tp_of = by_pid(found.result_)
    anniv = {tp_of.get(f"{doc}:0") for doc, *_ in [*ANNIV, COPY]}
    assert len(anniv) == 1 and None not in anniv
    ceasefire = {tp_of.get(f"{doc}:0") for doc, *_ in CEASEFIRE}
    assert len(ceasefire) == 1 and None not in ceasefire and ceasefire != anniv
    assert "e1:0" not in tp_of  # 50th anniversary, Estmark: another claim
    assert "w1:0" not in tp_of and "s1:0" not in tp_of


def test_every_paragraph_is_in_at_most_one_talking_point(found: TalkingPointFinder) -> None:
    result = found.result_
    pids = [m.pid for tp in result.talking_points for m in tp.members]
    assert len(pids) == len(set(pids))
    assert len(pids) + result.unclustered == len(CORPUS)
    assert (found.labels_ >= 0).sum() == len(pids)
    for number, tp in enumerate(result.talking_points):  # labels_ index the talking points
        assert (found.labels_ == number).sum() == tp.size
    assert [tp.size for tp in result.talking_points] == sorted(
        (tp.size for tp in result.talking_points), reverse=True
    )


def test_provenance_first_seen_outlet_order_and_copies(found: TalkingPointFinder) -> None:
    tp = next(t for t in found.result_.talking_points if "v1:0" in {m.pid for m in t.members})
    assert tp.first_seen.pid == "v1:0" and tp.first_seen.date == "2024-03-04"
    assert tp.last_seen.date == "2024-04-02"
    assert tp.outlet_order == ["VNA", "Harbor", "Northwind", "Meridian"]
    assert tp.outlets == {"VNA": 2, "Harbor": 1, "Northwind": 1, "Meridian": 1}
    copies = {m.pid: m.copies for m in tp.members}
    assert copies["h1:0"] == "v1:0"  # the wire copy of the day before
    assert copies["v1:0"] is None and copies["m1:0"] is None  # reworded, not copied
    dates = [m.date for m in tp.members]
    assert dates == sorted(dates)
    assert sum(p["count"] for p in tp.timeline) == tp.size
    assert found.result_.timeline_unit == "week"
    rep = next(m for m in tp.members if m.pid == tp.representative)
    assert rep.score == pytest.approx(1.0, abs=1e-3)
    assert all(m.score <= rep.score + 1e-6 for m in tp.members)
    assert "anniversary" in " ".join(tp.keywords)


def test_json_and_csv_follow_the_documented_shape(found: TalkingPointFinder) -> None:
    data = json.loads(found.result_.to_json())
    assert set(data) >= {"talking_points", "unclustered"}
    tp = data["talking_points"][0]
    assert set(tp) >= {
        "id", "label", "keywords", "representative", "size", "outlets", "first_seen",
        "last_seen", "members", "timeline", "outlet_order", "n_outlets", "n_units",
        "n_articles", "claim", "speakers",
    }  # fmt: skip
    assert set(tp["first_seen"]) == {"date", "outlet", "pid", "tie"}
    assert set(tp["members"][0]) == {
        "pid", "doc_id", "para", "outlet", "date", "score", "text", "copies", "provenance",
        "units",
    }  # fmt: skip
    assert set(tp["members"][0]["units"][0]) == {"start", "end", "text", "speaker", "mention"}
    rows = list(csv.DictReader(io.StringIO(found.result_.to_csv())))
    assert len(rows) == sum(t["n_units"] for t in data["talking_points"])
    assert {r["talking_point"] for r in rows} == {t["id"] for t in data["talking_points"]}


def test_filters_pick_members_and_keep_ids(real_encoder: object) -> None:
    store = Store.memory(encoder=real_encoder, cache=None)  # type: ignore[arg-type]
    store.add(CORPUS)
    everything = by_pid(TalkingPointFinder().fit(store).result_)
    march = TalkingPointFinder(since="2024-03-01", until="2024-03-31").fit(store).result_
    dates = [m.date or "" for t in march.talking_points for m in t.members]
    assert dates and all("2024-03-01" <= d <= "2024-03-31" for d in dates)
    assert all(everything[pid] == tp for pid, tp in by_pid(march).items())
    vna = TalkingPointFinder(only_outlets=["VNA", "Northwind"]).fit(store).result_
    assert {m.outlet for t in vna.talking_points for m in t.members} <= {"VNA", "Northwind"}
    wide = TalkingPointFinder(min_outlets=4).fit(store).result_
    assert wide.talking_points and all(t.n_outlets >= 4 for t in wide.talking_points)
    big = TalkingPointFinder(min_size=5).fit(store).result_
    assert all(t.size >= 5 for t in big.talking_points)
    assert len(big.talking_points) < len(TalkingPointFinder().fit(store).result_.talking_points)


def test_bad_settings_name_the_option(real_encoder: object) -> None:
    store = Store.memory(encoder=real_encoder, cache=None)  # type: ignore[arg-type]
    store.add(CORPUS[:3])
    for kwargs, name in [
        ({"min_size": 1}, "min_size"),
        ({"min_outlets": 0}, "min_outlets"),
        ({"since": "last spring"}, "since"),
        ({"period": "day"}, "period"),
        ({"threshold": 1.2}, "threshold"),
    ]:
        with pytest.raises(InputError, match=name):
            TalkingPointFinder(**kwargs).fit(store)  # type: ignore[arg-type]


def test_ids_are_stable_across_runs_and_incremental_adds(
    real_encoder: object, tmp_path: Path
) -> None:
    first = Store.memory(encoder=real_encoder, cache=None)  # type: ignore[arg-type]
    first.add(CORPUS)
    second = Store.memory(encoder=real_encoder, cache=None)  # type: ignore[arg-type]
    second.add(list(reversed(CORPUS)))
    assert by_pid(TalkingPointFinder().fit(first).result_) == by_pid(
        TalkingPointFinder().fit(second).result_
    )
    store = Store.create(tmp_path / "s.store", encoder=real_encoder)  # type: ignore[arg-type]
    store.add(CORPUS)
    finder = TalkingPointFinder().fit(store)
    assert store.catalog.talking_point_ids() == {}  # fit never writes to its input
    finder.save(store)  # saving the ids is an explicit call
    assert set(store.catalog.talking_point_ids().values()) == set(finder.ids_.values())
    before = by_pid(finder.result_)
    store.close()
    store = Store.open(tmp_path / "s.store", encoder=real_encoder)  # type: ignore[arg-type]
    store.add(records(LATER))  # one later member and one earlier than all the others
    after = by_pid(TalkingPointFinder().fit(store).result_)
    assert all(after[pid] == tp for pid, tp in before.items())
    assert after["x0:0"] == after["v1:0"] and after["g2:0"] == after["v1:0"]
    store.close()


def test_fake_encoder_path_and_empty_store(tmp_path: Path) -> None:
    store = Store.memory(encoder=HashingEncoder(), cache=None)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="no paragraphs"):
        TalkingPointFinder().fit(store)
    store.add(records([*CEASEFIRE, *UNRELATED]))
    result = TalkingPointFinder(0.5).fit(store).result_
    assert result.corpus["paragraphs"] == 5


# -- CLI -------------------------------------------------------------------------------------


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "simdedup", *args], capture_output=True, text=True, env=env
    )


def test_cli_talking_points_json_on_the_sample_corpus() -> None:
    done = run("talking-points", str(EXAMPLES / "corpus.jsonl"), "--min-outlets", "3", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["talking_points"] and all(t["n_outlets"] >= 3 for t in data["talking_points"])
    expected = json.loads((EXAMPLES / "expected.json").read_text())
    members = {t["id"]: {m["pid"] for m in t["members"]} for t in data["talking_points"]}
    # the planted anniversary and chairmanship lines each come out mostly in one talking point
    # (a paragraph may be in several: one per claim it makes)
    for planted in expected["talking_points"][:2]:
        pids = {f"{doc}:{para}" for doc, para in planted["members"]}
        assert max(len(pids & found) for found in members.values()) >= len(pids) // 2
    # labels and keywords are things most members say, as written
    terms = said = phrases = 0
    for t in data["talking_points"]:
        texts = [m["text"].lower() for m in t["members"]]
        for term in t["keywords"]:
            terms += 1
            said += sum(
                re.search(rf"\b{re.escape(term)}\b", x) is not None for x in texts
            ) * 2 >= len(texts)
        if "," not in t["label"] and t["keywords"]:  # a phrase, not a fallback
            phrases += 1
            assert sum(t["label"].lower() in x for x in texts) * 2 >= len(texts), t["label"]
    assert said >= 0.95 * terms and phrases >= len(data["talking_points"]) // 2


def test_cli_table_csv_and_errors(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps({"id": d, "outlet": o, "date": day, "text": t})
            for d, o, day, t in [*ANNIV, COPY, *CEASEFIRE]
        )
    )
    table = run("talking-points", str(corpus), "-q")
    assert table.returncode == 0, table.stderr
    assert "2 talking points, 8 paragraphs" in table.stdout
    assert "anniversary" in table.stdout and "ceasefire" in table.stdout
    as_csv = run("talking-points", str(corpus), "--csv", "-q")
    assert as_csv.stdout.startswith("talking_point,label,pid")
    bad = run("talking-points", str(corpus), "--since", "someday")
    assert bad.returncode != 0 and "--since" in bad.stderr and "Traceback" not in bad.stderr
    small = run("talking-points", str(corpus), "--min-size", "1")
    assert small.returncode != 0 and "--min-size" in small.stderr
    both = run("talking-points", str(corpus), "--json", "--csv")
    assert both.returncode != 0 and "exclusive" in both.stderr


def test_cli_report_writes_one_html_file(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    done = run("report", str(EXAMPLES / "corpus.jsonl"), "-o", str(out), "-q")
    assert done.returncode == 0, done.stderr
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") or html.lower().startswith("<!doctype html>")
    assert "Valdoria" in html and "http://" not in html and "https://" not in html
    into_dir = run("report", str(EXAMPLES / "corpus.jsonl"), "-o", str(tmp_path), "-q")
    assert into_dir.returncode != 0 and "is a directory" in into_dir.stderr


def test_default_min_outlets_follows_the_corpus(real_encoder: object) -> None:
    with Store.memory(encoder=real_encoder, cache=None) as store:  # type: ignore[arg-type]
        store.add(records([*ANNIV, *CEASEFIRE, *UNRELATED]))
        result = TalkingPointFinder().fit(store).result_
        n = len({outlet for _, outlet, _, _ in [*ANNIV, *CEASEFIRE, *UNRELATED]})
        assert result.min_outlets == min(3, n) and result.to_dict()["min_outlets"] == min(3, n)
        assert result.talking_points and all(
            tp.n_outlets >= min(3, n) for tp in result.talking_points
        )
    one_outlet = [(doc, "Ministry", day, text) for doc, _, day, text in [*ANNIV, *CEASEFIRE]]
    with Store.memory(encoder=real_encoder, cache=None) as store:  # type: ignore[arg-type]
        store.add(records(one_outlet))
        result = TalkingPointFinder().fit(store).result_
        assert result.min_outlets == 1 and len(result.talking_points) >= 2  # not blanked out


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.dates(Date(1940, 1, 1), Date(2030, 12, 31)), min_size=1, max_size=6),
    st.sampled_from(["week", "month"]),
)
def test_timeline_periods_are_those_of_stepping_day_by_day(days: list, unit: str) -> None:
    """The timeline's periods come by arithmetic; they must be those the old code found by
    stepping 7 (weeks) or 28 (months) days from the first member to the last."""
    from simdedup.cluster.timeline import period_of as _period
    from simdedup.cluster.timeline import timeline

    first, last = min(days), max(days)
    stepped: list[str] = []
    day = first
    while True:
        if not stepped or stepped[-1] != _period(day, unit):
            stepped.append(_period(day, unit))
        if day >= last:
            break
        day = min(Date.fromordinal(day.toordinal() + (7 if unit == "week" else 28)), last)
    got = timeline([d.isoformat() for d in days], unit)
    assert [p["period"] for p in got] == stepped
    assert sum(p["count"] for p in got) == len(days)


def test_a_timeline_reads_as_the_list_of_dicts_it_stands_for() -> None:
    """A Timeline holds counts but reads, compares, slices and writes to JSON as the gap-filled
    list of ``{"period", "count"}`` dicts; undated members are not counted."""
    import json

    from simdedup.cluster.timeline import Timeline, timeline

    dates = ["2023-11-30", None, "2024-02-03", "2023-11-02", "2024-02-29T10:00:00"]
    expected = [
        {"period": "2023-11", "count": 2},
        {"period": "2023-12", "count": 0},
        {"period": "2024-01", "count": 0},
        {"period": "2024-02", "count": 2},
    ]
    got = timeline(dates, "month")
    assert got == expected and expected == got and list(got) == expected
    assert got[-1] == expected[-1] and got[1:3] == expected[1:3] and len(got) == 4
    assert got != expected[:3] and got != [dict(e, count=1) for e in expected]
    assert json.loads(json.dumps(list(got))) == expected
    weeks = timeline(["2024-12-30", "2025-01-13"], "week")  # ISO week 1 of 2025 starts 2024
    assert [e["period"] for e in weeks] == ["2025-W01", "2025-W02", "2025-W03"]
    assert [e["count"] for e in weeks] == [1, 0, 1]
    assert timeline([None], "week") == [] and len(timeline([], "month")) == 0
    with pytest.raises(IndexError):
        got[4]
    with pytest.raises(ValueError, match="'day'"):
        Timeline("day", 0, [1])


@settings(max_examples=60, deadline=None)
@given(
    n_units=st.integers(0, 6),
    n_paragraphs=st.integers(0, 6),
    picks=st.lists(st.integers(0, 10_000), max_size=20),
)
def test_claim_mode_rows_read_units_then_paragraphs_as_one_array(
    n_units: int, n_paragraphs: int, picks: list[int]
) -> None:
    """Claim mode keeps the unit vectors and the whole paragraphs' vectors apart; ``rows`` must
    read them as if they were one array, units first, in the order asked (repeats kept)."""
    from simdedup.cluster.talking_points import _Items

    rng = np.random.default_rng(n_units * 7 + n_paragraphs)
    units = rng.standard_normal((n_units, 3)).astype(np.float32)
    paragraphs = rng.standard_normal((n_paragraphs, 3)).astype(np.float32)
    both = np.concatenate([units, paragraphs])
    at = np.array([p % len(both) for p in picks] if len(both) else [], dtype=np.int64)
    empty = np.zeros(0, dtype=np.int64)
    items = _Items(empty, empty, [], empty, units, lambda pos: [], after=paragraphs)
    assert items.n_vectors == len(both)
    got = items.rows(at)
    assert got.dtype == np.float32 and got.shape == (len(at), 3)
    assert np.array_equal(got, both[at])
    alone = _Items(empty, empty, [], empty, both, lambda pos: [])  # paragraph mode: one array
    assert alone.n_vectors == len(both) and np.array_equal(alone.rows(at), both[at])


def test_copies_and_reprints_take_the_stores_near_verbatim_threshold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two members at cosine 0.93 are copies at all-MiniLM-L6-v2's 0.9, not at the static
    model's 0.97 (its unrelated long paragraphs often meet at 0.9); near_copies lists each
    member's partners of other documents in ascending order, as comparing one row at a time."""
    from simdedup.cluster.describe import describe, near_copies
    from simdedup.duplicates.groups import default_threshold
    from simdedup.store.catalog import StoredParagraph

    def para(i: int, doc: str, day: str) -> StoredParagraph:
        return StoredParagraph(i, doc, 0, doc.upper(), day, None, f"text {i}", i, i, 0, 6)

    paras = [para(0, "a", "2024-01-01"), para(1, "b", "2024-01-02"), para(2, "c", "2024-01-03")]
    vectors = unit([[1.0, 0.0, 0.0], [0.93, 0.3676, 0.0], [0.6, 0.0, 0.8]])
    assert default_threshold("static") == 0.97 and default_threshold("onnx-int8") == 0.9
    loose = describe("tp-x", paras, vectors, (None, ["k"]), "month", {}, None, 0.9)
    strict = describe("tp-x", paras, vectors, (None, ["k"]), "month", {}, None, 0.97)
    assert {m.pid: m.copies for m in loose.members} == {"a:0": None, "b:0": "a:0", "c:0": None}
    assert all(m.copies is None for m in strict.members)
    rng = np.random.default_rng(3)
    many = np.repeat(rng.normal(size=(40, 8)), 3, axis=0) + 0.05 * rng.normal(size=(120, 8))
    many /= np.linalg.norm(many, axis=1, keepdims=True)
    monkeypatch.setattr("simdedup.cluster.describe.NEAR_BLOCK", 7)  # several blocks
    docs = [para(i, f"d{i % 50}", "2024-01-01") for i in range(120)]
    expected = [
        [j for j in np.flatnonzero(many @ many[i] >= 0.95) if docs[j].doc_id != docs[i].doc_id]
        for i in range(120)
    ]
    assert near_copies(docs, many, 0.95) == [[int(j) for j in e] for e in expected]


def test_figures_beside_the_join_and_terms_read_ahead_change_nothing(
    real_encoder: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a big corpus the figures are read while the k-NN join runs and the labels' terms
    while the linkage runs, each on its own thread; the talking points are those of doing one
    thing after the other, and of labels that read their own texts when the linkage wins."""
    import time

    from simdedup.cluster import linkage
    from simdedup.cluster import talking_points as tps

    store = Store.memory(encoder=real_encoder, cache=None)  # type: ignore[arg-type]
    store.add(CORPUS)
    monkeypatch.setattr(linkage, "KNN_JOIN_MIN", 0)  # the big-corpus path on a small one
    monkeypatch.setattr(tps, "READ_AHEAD_MIN", 0)
    monkeypatch.setattr(tps, "READ_AHEAD_BATCH", 2)
    beside, link = linkage._beside, linkage.average_linkage
    calls: list[bool] = []

    def in_turn(work, here):  # type: ignore[no-untyped-def]
        calls.append(False)
        return work(), here(lambda: False)  # the linkage done before the reading starts

    def as_json(finder: TalkingPointFinder) -> str:
        out = io.StringIO()
        finder.result_.write_json(out)
        return out.getvalue()

    monkeypatch.setattr(linkage, "_beside", in_turn)
    one_by_one = TalkingPointFinder(unit="paragraph").fit(store)
    assert one_by_one._terms is None and len(calls) == 2  # figures, then linkage
    assert len(one_by_one.result_.talking_points) >= 2

    def slow_link(*args):  # type: ignore[no-untyped-def]
        time.sleep(0.5)  # long enough for the read-ahead to finish first
        return link(*args)

    monkeypatch.setattr(linkage, "_beside", beside)
    monkeypatch.setattr(linkage, "average_linkage", slow_link)
    side_by_side = TalkingPointFinder(unit="paragraph").fit(store)
    texts = len(np.unique(store.table().rows))
    assert side_by_side._terms is not None and len(side_by_side._terms) == texts
    assert as_json(side_by_side) == as_json(one_by_one)
