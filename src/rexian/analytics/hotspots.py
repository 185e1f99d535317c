"""Hotspots (热点问题), spikes and sensitive themes in citizens' appeals (pure Python, no Django import).

A hotspot is a group of appeals about the same problem at the same place within a stretch of time, as in the
热点问题表 of the 2020 Taidi contest (problem C): its rank, heat index, time range, place or people, and a
one-line description. How the groups are found (docs/hotspots.md has the figures):

1. Places: cities and districts, sites (小区, 花园, 学校, 村, …) and roads (路, 街, 大道) are read from the title
   and the start of the text, or taken from the caller (`Message.place`).
2. Text: each appeal becomes TF-IDF vectors of the characters and character bigrams of its title and of the
   start of its text (the hotline's formulas removed), weighted so that the cosine of two appeals is
   `TITLE_SHARE` of their titles' cosine plus the rest of their texts'; each keeps its `KEEP_GRAMS` strongest
   n-grams. Characters survive rewording and need no word segmentation (too slow for 50,000 texts a minute).
3. Neighbours: each appeal's nearest neighbours come from sparse products of blocks of rows, never a dense
   n × n matrix.
4. Grouping: pairs are linked when their similarity, plus `PLACE_BONUS` when they name the same site (or road),
   reaches `threshold` and they lie at most `window_days` apart. Links are taken strongest first and their groups
   merged (single linkage) unless the merged group would name two different sites (or roads, or given places),
   two districts, two cities or two categories, or the two groups' representatives are not alike. Checking the
   groups, not only the pair, keeps an appeal that names no place from bridging two places, and a chain of
   likenesses from drifting off its problem.

The heat index (热度指数) of a group written by p people (distinct authors) with total weight w (e.g. 点赞数)
and growth g is
    heat = (p + log2(1 + w)) × (1 + max(g, 0) / 2)
where g = log2((recent + 1) / (earlier + 1)), recent being the group's appeals in the `growth_days` up to `now`
and earlier those in the `growth_days` before. People, not appeals: one citizen writing thirty times is one
voice. The weight counts logarithmically so that one much-liked post does not outweigh dozens of callers; only
growth raises the index, so a problem that has gone quiet keeps the heat of its volume.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np
from scipy import sparse
from scipy.stats import poisson
from sklearn.preprocessing import normalize

from rexian.intake.duplicates import FORMULAS
from rexian.intake.screening import compile_pattern, negated

# ---- messages and hotspots ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    id: str
    text: str
    title: str = ""
    at: datetime | None = None
    weight: float = 0.0  # citizens' weight, e.g. 点赞数
    place: str = ""  # a place the caller knows (a ticket's street or community); else places are read from text
    category: str = ""
    author: str = ""  # who wrote it (a user id, a phone number): one person writing ten times is one person


@dataclass
class Hotspot:
    rank: int
    description: str  # 问题描述
    place_people: str  # 地点/人群
    first_at: datetime | None  # 时间范围
    last_at: datetime | None
    size: int  # appeals
    people: int  # distinct authors (an appeal without an author counts as one)
    weight: float
    growth: float
    heat: float  # 热度指数
    keywords: list[str] = field(default_factory=list)
    member_ids: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)


# ---- places ---------------------------------------------------------------------------------------------------

# Masked names in public data sets ("A市", "A5区", "K9县") and names after a province or city ("…市朝阳区").
CITY = re.compile(r"[A-Z]\d{0,2}市")
DISTRICT = re.compile(
    r"[A-Z]\d{0,2}[区县]|(?<=[省市])[\u4e00-\u9fff]{1,2}?[^\W\dA-Za-z_小社城园景校厂片辖郊街矿营灾库湖老][区县]"
)
# What ends the name of a specific place; repeated ("丽发新城小区"), longest first within the alternation; not
# where the ending starts another word ("路面", "村民", "城市", "站台").
SPOT_SUFFIX = (
    "小区|社区|花园|广场|公寓|大厦|大楼|新村|新城|家园|公馆|山庄|商城|市场|商场|中心|小学|中学|大学|学院|学校|幼儿园"
    "|医院|公园|地铁站|车站|号线|大道|街道|胡同|项目|工地|村(?![民委])|镇|乡|路(?![面口边段灯况过人上旁线费牌基网])"
    "|街(?![头边面])|巷|弄|苑|园(?![区林长])|府|湾|城(?![市管区])|站(?![台点长])|桥(?![下上面底洞])|厂(?![家区房长])|港"
)
# The shortest stem that, with endings, makes the name: what distinguishes one place from another.
SPOT = re.compile(rf"(?P<stem>[\u4e00-\u9fffA-Za-z0-9]{{2,6}}?)(?:{SPOT_SUFFIX})+(?![市乡])")
# Where a place name cannot run through: punctuation, function characters, words of position and of action.
BREAK = re.compile(
    r"[^\u4e00-\u9fffA-Za-z0-9]+|附近|旁边|周边|周围|对面|门口|楼下|隔壁|一带|之间|导致|甚至|购买|投诉|举报|反映|希望|要求"
    r"|进入|排入|位于|来到|前往|经过|路过|靠近|紧邻|紧挨|距离|同时|时候|整个|所有|大量|严重|政府|配套"
    r"|[的了在是与及等都也就不没把被对向从到给让我你他她们很还说要会能有并以为将省]"
)
# Words that open a phrase but are not part of the place ("投诉丽发新城小区", "25日万科魅力之城").
LEAD = re.compile(
    r"^(?:关于|咨询|反应|请求|建议|强烈|恳请|地处|座落|坐落|家住|住在|居住|本人|请问|请|市民|业主|居民|所在|这个|那个"
    r"|老旧|各个|每个|其他|其它|相关|该|本|此|各|\d+[年月日号]?|[一二两三四五六七八九十几多每][个座家所条栋]?)+"
)
# A stem that names no particular place ("该小区", "一个社区", "农村小学").
GENERIC_STEM = re.compile(
    r"^(?:[这那该本此各某新老旧大小][\u4e00-\u9fff]?|一个|多个|几个|城市|城乡|农村|城中|周边|中心|市政|国家|人民为)$"
)
# How far into a long text places are read: the address comes first, later mentions are often asides.
PLACE_READ = 240
PEOPLE = (
    "农民工", "业主", "居民", "村民", "学生", "家长", "职工", "员工", "工人", "老人", "租户", "商户", "司机", "乘客",
    "患者", "教师", "残疾人", "退役军人", "购房者", "消费者", "摊贩",
)  # fmt: skip


@dataclass(frozen=True)
class Places:
    """What an appeal says about where: cities, districts, areas (街道, 镇, 乡), sites (小区, 学校, 村, …), roads,
    and the caller's own place. A site is more specific than a road: two appeals naming different sites on one
    road differ. Areas, like districts, only keep apart: two appeals in one 街道 are not for that at one place."""

    cities: frozenset[str] = frozenset()
    districts: frozenset[str] = frozenset()
    areas: frozenset[str] = frozenset()
    sites: frozenset[str] = frozenset()
    roads: frozenset[str] = frozenset()
    given: frozenset[str] = frozenset()

    @property
    def spots(self) -> frozenset[str]:
        return self.sites | self.roads

    def merged(self, other: Places) -> Places:
        return Places(
            self.cities | other.cities,
            self.districts | other.districts,
            self.areas | other.areas,
            self.sites | other.sites,
            self.roads | other.roads,
            self.given | other.given,
        )


def extract_places(text: str) -> Places:
    """The cities, districts, areas, sites and roads a text names."""
    cities = frozenset(CITY.findall(text))
    districts = frozenset(DISTRICT.findall(text))
    # "|" is not a name character: a name never runs through a break.
    fenced = BREAK.sub("|", DISTRICT.sub("|", CITY.sub("|", text)))
    spots = set(_spot_names(fenced))
    areas = frozenset(name for name in spots if AREA.search(name))
    roads = frozenset(name for name in spots if ROAD.search(name))
    return Places(cities, districts, areas, frozenset(spots) - roads - areas, roads)


def _spot_names(text: str) -> Iterable[str]:
    for raw in _joined(SPOT.finditer(text)):
        name = _trim(LEAD.sub("", raw))
        stem = spot_stem(name)
        if stem and not (GENERIC_STEM.match(stem) or ASCII_STEM.match(stem) or VERB_END.search(name) or _generic(name)):
            yield name


def _joined(matches: Iterable[re.Match[str]]) -> list[str]:
    """Matched names, adjacent sites joined into one ("伊景园" + "滨河苑" → "伊景园滨河苑"); roads and areas stay
    apart ("暮云街道" + "丽发新城小区")."""
    names: list[str] = []
    end = -1
    for match in matches:
        if names and match.start() == end and not UNJOINED.search(names[-1]) and not UNJOINED.search(match.group()):
            names[-1] += match.group()
        else:
            names.append(match.group())
        end = match.end()
    return names


# Parts of speech (jieba's dictionary) of words that open a phrase but do not name a place: verbs, adverbs,
# conjunctions, prepositions, time words, pronouns, numerals, idioms ("目前泉星美食街", "并初步确定线路").
LEADING_TAGS = frozenset({"v", "d", "c", "p", "t", "r", "f", "m", "q", "u", "y", "e", "ad", "vd", "l", "i", "z"})
# A verb and its object, not a place ("没法走路", "进城").
VERB_END = re.compile(
    r"(?:走路|出路|过路|让路|修路|带路|迷路|赶路|铺路|堵路|封路|开路|上路|进城|下乡|回村|进村|出村|进站|出站|到站)$"
)
# Bus routes ("362路") and the like are not places.
ASCII_STEM = re.compile(r"^[A-Za-z0-9]+$")
# A road may be named by a verb alone (解放路, 振兴大道); other places are not (加快学校).
ROAD = re.compile(r"(?:路|街|大道|巷|弄|胡同)$")
AREA = re.compile(r"(?:街道|镇|乡)$")
UNJOINED = re.compile(r"(?:路|街|大道|巷|弄|胡同|街道|镇|乡)$")
GENERIC_ROAD_END = re.compile(r"(?:线路|道路|马路|出路|思路|门路|来路|去路)$")
GENERIC_ROADS = frozenset(
    {"高速公路", "步行街", "美食街", "小吃街", "商业街", "人行道", "十字路口", "交叉路口", "斑马线"}
)


def _generic(name: str) -> bool:
    """A kind of place, not a place: a road in GENERIC_ROADS, or another name that is a word of the dictionary
    (幼儿园, 搅拌站, 停车场, 农贸市场); road names in the dictionary (中山路, 学府路) are real roads."""
    if ROAD.search(name):
        return name in GENERIC_ROADS or GENERIC_ROAD_END.search(name) is not None
    tags = _word_tags()
    # "建搅拌站": a verb glued to a kind of place
    return name in tags or (len(name) > 3 and name[1:] in tags and tags.get(name[0]) in LEADING_TAGS)


@lru_cache(maxsize=1)
def _word_tags() -> dict[str, str]:
    import jieba.posseg  # loaded on first use: its dictionary takes a second or two

    return jieba.posseg.dt.word_tag_tab


def _trim(name: str) -> str:
    """The name without the leading words that are not part of it; "" when nothing distinctive is left."""
    tags = _word_tags()
    while (stem := spot_stem(name)) and len(stem) > 1:
        word = next((name[:n] for n in (4, 3, 2) if tags.get(name[:n]) in LEADING_TAGS), "")
        if not word:
            return name
        if word == stem:
            return name if ROAD.search(name) else ""
        if len(word) > len(stem):
            return ""
        name = name[len(word) :]
    return name if spot_stem(name) else ""


@lru_cache(maxsize=65536)
def spot_stem(name: str) -> str:
    """What distinguishes a place name: the name without its endings ("丽发新城小区" → "丽发"); "" if too short."""
    match = SPOT.fullmatch(name)
    return match.group("stem") if match else ""


def same_spot(a: str, b: str) -> bool:
    """Whether two place names may mean the same place: one's stem is in the other ("丽发小区", "丽发新城")."""
    return a == b or spot_stem(a) in b or spot_stem(b) in a


def compatible(a: Places, b: Places) -> bool:
    """Whether two appeals (or groups) may be about the same place: nothing they both name disagrees. Sites are
    compared when both name one, else roads."""
    if a.given and b.given and not a.given & b.given:
        return False
    if a.cities and b.cities and not a.cities & b.cities:
        return False
    if a.districts and b.districts and not a.districts & b.districts:
        return False
    if a.areas and b.areas and not _related(a.areas, b.areas):
        return False
    if a.sites and b.sites:
        return _related(a.sites, b.sites)
    return not (a.roads and b.roads) or _related(a.roads, b.roads)


def agree(a: Places, b: Places) -> bool:
    """Whether two appeals name the same specific place (or the caller gave the same place for both)."""
    if a.given & b.given:
        return True
    if a.sites and b.sites:
        return _related(a.sites, b.sites)
    return bool(a.roads and b.roads) and _related(a.roads, b.roads)


def _related(names: frozenset[str], others: frozenset[str]) -> bool:
    return not names.isdisjoint(others) or any(same_spot(x, y) for x in names for y in others)


def without_places(text: str, places: Places) -> str:
    """The text with the places it names blanked out: what is left says what the problem is."""
    text = DISTRICT.sub(" ", CITY.sub(" ", text))
    for name in sorted(places.spots | places.areas | places.given, key=len, reverse=True):
        text = text.replace(name, " ")
    return text


# ---- text vectors and neighbours ------------------------------------------------------------------------------

TITLE_SHARE = 0.6  # of the cosine, when both appeals have a title
TEXT_READ = 200  # characters of the text read after the title; the gist comes first
NOISE = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]+")
NEIGHBOURS = 30  # links kept per appeal: enough for any group to hold together, few enough to sort quickly
# Added to the similarity of two appeals naming the same site or road. On the Taidi messages, complaints about one
# estate's ground-floor restaurants (油烟扰民, 夜宵摊, 噪音扰民) score 0.1–0.35 between them, other problems at the
# same estate (楼板开裂, 入学) under 0.1 with them.
PLACE_BONUS = 0.15
REP_MARGIN = 0.1  # how much less alike than a link two groups' representatives may be
BLOCK_ROWS = 512  # rows multiplied at once: bounds the memory of a product
MAX_DF = 0.05  # n-grams in more of the texts say little and make the products dense
KEEP_GRAMS = 64


def _clean(text: str) -> str:
    return NOISE.sub(" ", FORMULAS.sub(" ", text))


def problem_texts(messages: Sequence[Message]) -> tuple[list[str], list[str]]:
    """Titles and the start of texts without the hotline's formulas and punctuation."""
    return [_clean(m.title) for m in messages], [_clean(m.text[:TEXT_READ]) for m in messages]


def vectors(titles: Sequence[str], bodies: Sequence[str]) -> sparse.csr_matrix:
    """Row-normalised vectors whose dot products are the weighted cosine of titles and of texts."""
    parts = []
    for texts, share in ((titles, TITLE_SHARE), (bodies, 1 - TITLE_SHARE)):
        part = char_tfidf(texts, max_df=_max_df(len(texts)))
        if part.nnz:
            parts.append(part * math.sqrt(share))
    if not parts:
        return sparse.csr_matrix((len(titles), 1), dtype=np.float32)
    return normalize(strongest(sparse.hstack(parts, format="csr"), KEEP_GRAMS))


def strongest(x: sparse.csr_matrix, k: int) -> sparse.csr_matrix:
    """Each row's `k` largest entries (ties kept): the n-grams that say most about each appeal. Products of such
    rows stay sparse; measured on the Taidi messages, ranking neighbours so loses little (MAP 0.933 → 0.925)."""
    x = x.tocsr(copy=True)
    for row in np.flatnonzero(np.diff(x.indptr) > k):
        values = x.data[x.indptr[row] : x.indptr[row + 1]]
        values[values < np.partition(values, len(values) - k)[len(values) - k]] = 0
    x.eliminate_zeros()
    return x


def _max_df(n: int) -> float:
    # In a small batch a character shared by a quarter of the texts may be the very problem they share.
    return 1.0 if n < 200 else MAX_DF


SEPARATORS = np.array([0, 32], dtype=np.uint32)  # between texts, between words


def char_tfidf(texts: Sequence[str], *, max_df: float = 1.0) -> sparse.csr_matrix:
    """TF-IDF of the characters and character bigrams of each text (sublinear tf, smooth idf, rows normalised),
    leaving out n-grams in more than `max_df` of the texts; bigrams do not span a space.

    Counted with numpy over all texts at once: a per-token Python loop (scikit-learn's analyzers) costs about a
    microsecond a token, 20 seconds for 50,000 texts.
    """
    n = len(texts)
    codes = np.frombuffer(
        "\0".join(t.lower().replace("\0", " ") for t in texts).encode("utf-32-le"), dtype=np.uint32
    ).astype(np.int64)
    is_char = ~np.isin(codes, SEPARATORS)
    doc = np.cumsum(codes == 0)
    pair = is_char[:-1] & is_char[1:]
    grams = np.concatenate([codes[is_char], ((codes[:-1][pair] + 1) << 21) | codes[1:][pair]])
    rows = np.concatenate([doc[is_char], doc[:-1][pair]])
    if grams.size == 0:
        return sparse.csr_matrix((n, 1), dtype=np.float32)
    _, columns = np.unique(grams, return_inverse=True)
    counts = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, columns.ravel())), shape=(n, int(columns.max()) + 1)
    )
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
    idf[df > max_df * n] = 0  # too common to tell texts apart
    counts.data = (1 + np.log(counts.data)) * idf[counts.indices]
    counts.eliminate_zeros()
    return normalize(counts)


def neighbour_pairs(x: sparse.csr_matrix, threshold: float, k: int = NEIGHBOURS) -> list[tuple[float, int, int]]:
    """(similarity, i, j) with i < j for each row's k nearest rows at or above `threshold`, strongest first."""
    xt = x.T.tocsr()
    pairs: dict[tuple[int, int], float] = {}
    for start in range(0, x.shape[0], BLOCK_ROWS):
        block = (x[start : start + BLOCK_ROWS] @ xt).tocsr()
        for row in range(block.shape[0]):
            i = start + row
            lo, hi = block.indptr[row], block.indptr[row + 1]
            cols, sims = block.indices[lo:hi], block.data[lo:hi]
            keep = (sims >= threshold) & (cols != i)
            cols, sims = cols[keep], sims[keep]
            if len(sims) > k:
                best = np.argpartition(-sims, k)[:k]
                cols, sims = cols[best], sims[best]
            for j, sim in zip(cols.tolist(), sims.tolist(), strict=True):
                key = (i, j) if i < j else (j, i)
                pairs[key] = max(pairs.get(key, 0.0), sim)
    return sorted(((sim, i, j) for (i, j), sim in pairs.items()), key=lambda p: (-p[0], p[1], p[2]))


# ---- grouping -------------------------------------------------------------------------------------------------


class _Groups:
    """Union-find whose roots carry what a merge must keep consistent: places, categories, and a representative
    (the first member of the group's strongest link) that every group joining must resemble."""

    def __init__(self, places: list[Places], categories: list[str], alike: Callable[[int, int], bool]) -> None:
        self.parent = list(range(len(places)))
        self.size = [1] * len(places)
        self.rep = list(range(len(places)))
        self.places = places
        self.categories = [frozenset({c}) if c else frozenset() for c in categories]
        self.alike = alike

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def merge(self, i: int, j: int) -> bool:
        a, b = self.find(i), self.find(j)
        if a == b:
            return True
        ca, cb = self.categories[a], self.categories[b]
        if ca and cb and not ca & cb:
            return False
        if not compatible(self.places[a], self.places[b]):
            return False
        if (self.size[a] > 1 or self.size[b] > 1) and not self.alike(self.rep[a], self.rep[b]):
            return False  # a chain of pairwise likenesses drifting away from what the group is about
        big = a if (self.size[a], -a) >= (self.size[b], -b) else b
        root, child = min(a, b), max(a, b)  # the lower index as root: the result does not depend on order
        self.parent[child] = root
        self.rep[root] = self.rep[big]
        self.size[root] += self.size[child]
        self.places[root] = self.places[root].merged(self.places[child])
        self.categories[root] = ca | cb
        return True


def _dot(x: sparse.csr_matrix, i: int, j: int) -> float:
    """The dot product of two rows of a CSR matrix (their cosine, rows being normalised)."""
    a, b = slice(x.indptr[i], x.indptr[i + 1]), slice(x.indptr[j], x.indptr[j + 1])
    _, ia, ib = np.intersect1d(x.indices[a], x.indices[b], assume_unique=True, return_indices=True)
    return float(np.dot(x.data[a][ia], x.data[b][ib]))


def _places_of(message: Message) -> Places:
    found = extract_places(f"{message.title} {message.text[:PLACE_READ]}")
    given = frozenset({message.place.strip()}) if message.place.strip() else frozenset()
    return Places(found.cities, found.districts, found.areas, found.sites, found.roads, given)


def _close_in_time(a: Message, b: Message, window: timedelta) -> bool:
    return a.at is None or b.at is None or abs(a.at - b.at) <= window


def group(
    messages: Sequence[Message], places: Sequence[Places], *, threshold: float, window_days: float
) -> tuple[list[list[int]], sparse.csr_matrix]:
    """Indexes of the messages in each group (singletons included, each group in index order), and the vectors.

    Two appeals naming the same specific place need `PLACE_BONUS` less text similarity: the place is half of
    "the same problem at the same place", and reworded complaints (油烟扰民, 噪音扰民) share few characters.
    """
    x = vectors(*problem_texts(messages))
    window = timedelta(days=window_days)
    links = []
    for sim, i, j in neighbour_pairs(x, threshold - PLACE_BONUS):
        score = sim + PLACE_BONUS if agree(places[i], places[j]) else sim
        if score >= threshold and _close_in_time(messages[i], messages[j], window):
            links.append((score, i, j))
    links.sort(key=lambda link: (-link[0], link[1], link[2]))

    def alike(i: int, j: int) -> bool:
        return _dot(x, i, j) + (PLACE_BONUS if agree(places[i], places[j]) else 0.0) >= threshold - REP_MARGIN

    groups = _Groups(list(places), [m.category.strip() for m in messages], alike)
    for _, i, j in links:
        groups.merge(i, j)
    members: dict[int, list[int]] = {}
    for i in range(len(messages)):
        members.setdefault(groups.find(i), []).append(i)
    return list(members.values()), x


# ---- describing a group ---------------------------------------------------------------------------------------


def growth_of(times: Iterable[datetime | None], now: datetime | None, days: float) -> float:
    """log2((recent + 1) / (earlier + 1)): recent in the `days` up to `now`, earlier in the `days` before."""
    if now is None:
        return 0.0
    span = timedelta(days=days)
    stamps = [t for t in times if t is not None]
    recent = sum(1 for t in stamps if now - span < t <= now)
    earlier = sum(1 for t in stamps if now - 2 * span < t <= now - span)
    return round(math.log2((recent + 1) / (earlier + 1)), 4)


def heat_of(people: int, weight: float, growth: float) -> float:
    """The heat index: (people + log2(1 + weight)) × (1 + max(growth, 0) / 2)."""
    return round((people + math.log2(1 + max(weight, 0.0))) * (1 + max(growth, 0.0) / 2), 2)


def people_of(messages: Iterable[Message]) -> int:
    """Distinct authors; an appeal without one counts as one more person."""
    authors: set[str] = set()
    anonymous = 0
    for message in messages:
        if message.author.strip():
            authors.add(message.author.strip())
        else:
            anonymous += 1
    return len(authors) + anonymous


def _central(x: sparse.csr_matrix, members: list[int]) -> list[int]:
    """Members, most central first (closest to the group's mean vector); ties by index."""
    rows = x[members]
    centre = np.asarray(rows.mean(axis=0)).ravel()
    scores = rows @ centre
    return [members[i] for i in sorted(range(len(members)), key=lambda i: (-scores[i], members[i]))]


TITLE_LEAD = re.compile(
    r"^(?:投诉|反映|反应|举报|咨询|关于|请求|建议|强烈要求|恳请|请问|请|对|附近|旁边|周边|的|在|位于|[\s、，,])+"
)
TITLE_TAIL = re.compile(r"[\s！!？?。.，,；;：:~～]+$")
SENTENCE = re.compile(r"[。！？!?；;\n]+")
GREETING = re.compile(r"尊敬的|您好|你好|领导|书记|市长|局长|主任|各位|相关部门|有关部门|[^\w]")
MIN_DESCRIPTION = 4  # characters left once the places are gone, or the places stay in
MAX_DESCRIPTION = 40


def describe(message: Message, places: Places) -> str:
    """问题描述: the title (or the text's first sentence that is not a greeting) without the opening verb, and
    without the places it opens with, which 地点/人群 gives ("A市伊景园滨河苑捆绑销售车位" → "捆绑销售车位")."""
    line = message.title.strip() or _first_sentence(message.text)
    full = _tidy(line)
    bare = _tidy(_without_leading_places(line, places))
    return bare if len(NOISE.sub("", bare)) >= MIN_DESCRIPTION else full


def _tidy(line: str) -> str:
    return TITLE_TAIL.sub("", TITLE_LEAD.sub("", line.strip()))[: MAX_DESCRIPTION + 20]


def _first_sentence(text: str) -> str:
    sentences = [s.strip() for s in SENTENCE.split(text) if s.strip()]
    sentence = next((s for s in sentences if len(GREETING.sub("", s)) >= MIN_DESCRIPTION), text.strip())
    if len(sentence) <= MAX_DESCRIPTION:
        return sentence
    cut = sentence.rfind("，", MIN_DESCRIPTION * 2, MAX_DESCRIPTION)
    return sentence[: cut if cut > 0 else MAX_DESCRIPTION]


def _without_leading_places(line: str, places: Places) -> str:
    names = sorted(places.spots | places.areas | places.given, key=len, reverse=True)
    while True:
        rest = TITLE_LEAD.sub("", line)
        if admin := CITY.match(rest) or DISTRICT.match(rest):
            rest = rest[admin.end() :]
        else:
            rest = next((rest[len(name) :] for name in names if rest.startswith(name)), rest)
        if rest == line:
            return line
        line = rest


def place_people(messages: Sequence[Message], places: Sequence[Places]) -> tuple[str, list[str]]:
    """地点/人群: the place the caller gave or the district and area, the sites or roads most members name, then
    the people most of them are ("A5区魅力之城小区居民"). Also the sites and roads alone."""
    need = max(1, math.ceil(len(messages) / 3))
    given = _common([p for item in places for p in item.given], need, 1)
    districts = [] if given else _common([d for item in places for d in item.districts], need, 1)
    areas = [] if given else _shared([item.areas for item in places], need, 1)
    spots = [_without_prefix(s, [*given, *districts, *areas]) for s in _shared([p.spots for p in places], need)]
    chosen = [*given, *districts, *areas] or _common([c for item in places for c in item.cities], need, 1)
    counts = Counter(w for m in messages for w in {w for w in PEOPLE if w in f"{m.title}{m.text[:PLACE_READ]}"})
    people = [w for w, n in sorted(counts.items(), key=lambda kv: (-kv[1], PEOPLE.index(kv[0]))) if n >= need][:1]
    return "".join(chosen) + "、".join(spots) + "".join(people), spots


def _without_prefix(name: str, prefixes: Sequence[str]) -> str:
    for prefix in prefixes:
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            return name[len(prefix) :]
    return name


def _common(items: Sequence[str], need: int, limit: int) -> list[str]:
    counts = Counter(items)
    return [k for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if n >= need][:limit]


def _shared(names: Sequence[frozenset[str]], need: int, limit: int = 2) -> list[str]:
    """The place names (one set per member) that most members agree on, the most used spelling of each."""
    spelled = Counter(s for item in names for s in item)
    support = {name: sum(1 for item in names if any(same_spot(name, s) for s in item)) for name in sorted(spelled)}
    chosen: list[str] = []
    for name in sorted(support, key=lambda s: (-support[s], -spelled[s], -len(s), s)):
        if support[name] < need or len(chosen) == limit:
            break
        if not any(same_spot(name, c) for c in chosen):
            chosen.append(name)
    return chosen


STOP_WORDS = (
    "问题 投诉 反映 反应 举报 咨询 关于 希望 请求 要求 建议 相关 部门 严重 影响 领导 政府 我们 你们 "
    "他们 什么 为什么 怎么 如何 是否 能否 可以 已经 现在 目前 一直 没有 不能 进行 存在 出现 情况 "
    "解决 处理 尽快 市民 居民 业主 附近 周边 旁边 这个 那个 一个 多次 非常 强烈 本人 您好 尊敬 "
    "谢谢 何时 为何 合理 合法 怎么办 不要 还是 一些"
)
KEYWORD_STOP = frozenset(STOP_WORDS.split())
KEYWORD_READ = 50  # members read for keywords, the most central first


def keywords_of(messages: Sequence[Message], places: Sequence[Places], limit: int = 5) -> list[str]:
    """Words (jieba) of the problem that the most members use in their titles (or texts' starts), places left out
    (地点 names them); longest first on ties."""
    import jieba  # imported here: loading its dictionary takes a second that grouping does not need

    counts: Counter[str] = Counter()
    for message, where in list(zip(messages, places, strict=True))[:KEYWORD_READ]:
        head = _clean(without_places(message.title or message.text[:80], where))
        counts.update({w for w in jieba.lcut(head) if len(w.strip()) >= 2 and w not in KEYWORD_STOP})
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))
    return [w for w, n in ranked if n >= 2 or len(messages) < 3][:limit]


def _group_themes(members: Sequence[Message], themes: Mapping[str, Sequence[str]]) -> list[str]:
    """Themes at least a quarter of the members mention, the most mentioned first."""
    counts = Counter(t for m in members for t in match_themes(f"{m.title} {m.text}", themes))
    need = max(1, math.ceil(len(members) / 4))
    order = list(themes)
    return [t for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], order.index(kv[0]))) if n >= need]


# ---- the entry point ------------------------------------------------------------------------------------------

# Tried 0.25, 0.3, 0.35 on the Taidi messages: 0.25 merged an estate's cracked floors into its restaurant noise,
# 0.35 left members of the largest hotspots out (伊景园滨河苑: 49 of 54 rather than 52).
THRESHOLD = 0.3


@dataclass(frozen=True)
class _Scored:
    members: list[int]
    people: int
    weight: float
    growth: float
    heat: float


def find_hotspots(
    messages: Sequence[Message],
    *,
    window_days: float = 30,
    min_size: int = 2,
    top: int | None = None,
    now: datetime | None = None,
    threshold: float = THRESHOLD,
    growth_days: float = 7,
    themes: Mapping[str, Sequence[str]] | None = None,
) -> list[Hotspot]:
    """Groups of at least `min_size` appeals on the same problem at the same place, hottest first.

    Two appeals are linked when their similarity (plus `PLACE_BONUS` when they name the same specific place) is at
    least `threshold` and they lie at most `window_days` apart; groups never mix specific places, districts or
    categories. `now` (default: the newest appeal) anchors growth. `themes` (default `WATCH_THEMES`) are the
    sensitive themes reported for each hotspot. Deterministic: the same input gives the same output.
    """
    messages = list(messages)
    if not messages:
        return []
    places = [_places_of(m) for m in messages]
    groups, x = group(messages, places, threshold=threshold, window_days=window_days)
    if now is None:
        now = max((m.at for m in messages if m.at is not None), default=None)
    scored = [_score(messages, g, now, growth_days) for g in groups if len(g) >= max(min_size, 1)]
    scored.sort(key=lambda s: (-s.heat, -len(s.members), s.members[0]))
    chosen = scored[:top] if top is not None else scored
    watch = WATCH_THEMES if themes is None else themes
    return [_hotspot(rank, item, messages, places, x, watch) for rank, item in enumerate(chosen, start=1)]


def _score(messages: Sequence[Message], members: list[int], now: datetime | None, growth_days: float) -> _Scored:
    chosen = [messages[i] for i in members]
    people = people_of(chosen)
    weight = float(sum(max(m.weight, 0.0) for m in chosen))
    growth = growth_of((m.at for m in chosen), now, growth_days)
    return _Scored(members, people, weight, growth, heat_of(people, weight, growth))


def _hotspot(
    rank: int,
    item: _Scored,
    messages: Sequence[Message],
    places: Sequence[Places],
    x: sparse.csr_matrix,
    themes: Mapping[str, Sequence[str]],
) -> Hotspot:
    ordered = _central(x, item.members)
    chosen = [messages[i] for i in ordered]
    where = [places[i] for i in ordered]
    times = [m.at for m in chosen if m.at is not None]
    label, spots = place_people(chosen, where)
    return Hotspot(
        rank=rank,
        description=describe(chosen[0], where[0]),
        place_people=label,
        first_at=min(times, default=None),
        last_at=max(times, default=None),
        size=len(chosen),
        people=item.people,
        weight=item.weight,
        growth=item.growth,
        heat=item.heat,
        keywords=keywords_of(chosen, where),
        member_ids=[m.id for m in chosen],
        places=spots,
        themes=_group_themes(chosen, themes),
    )


# ---- spikes ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spike:
    key: str  # a category or a place
    recent: int  # appeals in the recent days
    expected: float  # what the baseline predicts for as many days
    ratio: float  # recent / expected
    p_value: float  # chance of at least `recent` under a Poisson law with the expected mean


def spikes(
    series: Mapping[str, Sequence[int]],
    *,
    recent_days: int = 7,
    baseline_days: int = 28,
    min_recent: int = 5,
    min_ratio: float = 1.5,
    alpha: float = 0.01,
) -> list[Spike]:
    """Keys (categories, places) whose last `recent_days` of daily counts (oldest first) are well above their own
    baseline, the `baseline_days` before: at least `min_recent` appeals, `min_ratio` times the expected count,
    and unlikely under Poisson (p < `alpha`). Most significant first.

    The baseline is smoothed by half an appeal, so a key with none before is not infinitely surprising; the ratio
    bar guards against the small relative rises that Poisson deems significant in a large category.
    """
    found: list[Spike] = []
    for key in sorted(series):
        counts = list(series[key])
        if len(counts) <= recent_days:
            continue
        recent = int(sum(counts[-recent_days:]))
        baseline = counts[-recent_days - baseline_days : -recent_days]
        expected = (sum(baseline) + 0.5) * recent_days / len(baseline)
        p_value = float(poisson.sf(recent - 1, expected))
        ratio = recent / expected
        if recent >= min_recent and ratio >= min_ratio and p_value < alpha:
            found.append(Spike(key, recent, round(expected, 2), round(ratio, 2), p_value))
    return sorted(found, key=lambda s: (s.p_value, -s.ratio, s.key))


def daily_counts(
    messages: Iterable[Message], key: Callable[[Message], str], *, days: int, now: datetime
) -> dict[str, list[int]]:
    """Each key's appeals per day (oldest first) over the `days` calendar days ending on `now`'s day: the series
    `spikes` reads. `key` gives an appeal's category or place; appeals without a time or a key are left out."""
    counts: dict[str, list[int]] = {}
    for message in messages:
        name = key(message).strip()
        if message.at is None or not name:
            continue
        age = (now.date() - message.at.date()).days
        if 0 <= age < days:
            counts.setdefault(name, [0] * days)[days - 1 - age] += 1
    return counts


# ---- sensitive themes -----------------------------------------------------------------------------------------

# Theme → regular expressions (a plain word is one). A mention directly negated ("没有拖欠工资") does not count;
# the negation rules are the scope screening's (intake/screening.py).
WATCH_THEMES: dict[str, tuple[str, ...]] = {
    "拖欠工资": (
        "欠薪|讨薪|讨要工资|农民工工资",
        "(?:拖欠|克扣|拖延|拖着|扣发|停发|不发|未发|没发|少发|拒不支付|拒付)[^，。！？；]{0,12}(?:工资|薪水|薪资|薪酬|工钱|劳务费)",
        "(?:工资|薪水|工钱|劳务费)[^，。！？；]{0,6}(?:不发|未发|没发|拖欠|迟迟不|拿不到|要不到|讨不到)",
    ),
    "征地拆迁": ("征地|拆迁|强拆|强制拆除|征收补偿|拆迁补偿|安置房|土地征收|房屋征收",),
    "劳动纠纷": (
        "劳动纠纷|劳动争议|劳动仲裁|劳动合同|工伤|加班费|经济补偿金",
        "(?:违法|无故|强制|恶意)(?:辞退|解雇|开除)",
        "(?:不交|未交|不缴|未缴|不买|没买)[^，。！？；]{0,4}(?:社保|社会保险|五险)",
    ),
    "群体性事件": ("群体性|集体上访|集体维权|聚集|围堵|堵门|堵路|拉横幅|打横幅|静坐|游行|闹事|过激",),
    "安全隐患": ("安全隐患|消防隐患|隐患|坍塌|倒塌|塌陷|危房|漏电|高空坠物|消防通道|安全事故",),
    "食品安全": ("食品安全|食物中毒|地沟油|过期食品|变质|病死猪|三无食品|无证(?:餐饮|经营餐|食品)",),
    "校园安全": ("校园安全|校园欺凌|霸凌|体罚|校车安全|学生(?:受伤|被打|打架|溺水)",),
    "燃气": ("燃气|煤气|天然气|液化气|气罐",),
    "非法集资": ("非法集资|集资诈骗|传销|庞氏|P2P|跑路|爆雷|暴雷",),
    "医疗纠纷": ("医疗纠纷|医疗事故|误诊|医闹",),
}


# How many new appeals on a theme within a day alert the shift lead (the seeded SensitiveTheme rows; the centre
# edits them): each one where a single appeal may mean unrest or danger to life, more where the theme is common.
ALERT_THRESHOLDS: dict[str, int] = {
    "拖欠工资": 5,
    "征地拆迁": 3,
    "劳动纠纷": 5,
    "群体性事件": 1,
    "安全隐患": 5,
    "食品安全": 3,
    "校园安全": 1,
    "燃气": 10,
    "非法集资": 1,
    "医疗纠纷": 3,
}


def match_themes(text: str, themes: Mapping[str, Sequence[str]] = WATCH_THEMES) -> list[str]:
    """The watched themes a text mentions (not negated), in the order of `themes`."""
    return [theme for theme, patterns in themes.items() if any(_mentions(text, p) for p in patterns)]


def _mentions(text: str, pattern: str) -> bool:
    compiled = compile_pattern(pattern)
    if compiled is None:
        return False  # an invalid expression matches nothing, as in screening
    return any(m.end() > m.start() and not negated(text, m.start()) for m in compiled.finditer(text))
