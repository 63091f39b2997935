#!/usr/bin/env python3
"""Generate data/lexicon.tsv: Python project names and the digest topic each belongs to.

Re-run (Python 3.11+, standard library only):

    python3 scripts/gen_lexicon.py PYPI_TSV [--feeds feeds.toml] [--out data/lexicon.tsv]

PYPI_TSV is the list of PyPI packages with their summaries, tab-separated with a header row:
name, version, month, rank_among_15000_most_downloaded, summary. Only rows with a rank (the
15,000 most-downloaded packages) are read; nothing is fetched from the network. DEVELOPERS.md
says where the list is on a developer machine.

Output: `name<TAB>topic<TAB>origin`, one header row, sorted by name, where topic is the name of
one of the `[[topic]]` tables in feeds.toml (checked) and origin is `curated` (the hand-written
CURATED table below: the projects that matter most in Python news) or `generated` (keyword
rules over the package summaries, RULES below). Curated entries override generated ones. The
output depends only on the input file and this script: same input, same bytes.

A generated entry is kept only when it is safe to match as a whole word in a blog title:
- its summary matches the keyword rules of exactly one topic (ambiguous summaries are skipped);
- the name has at least 4 characters and is not in STOP (common English words, generic
  technical words like "requests", "click", "black" or "rich", and names that are mostly a
  company or product word such as "google" or "azure" that would match unrelated news);
- it is not a stub-only or per-service generated package (types-*, *-stubs, mypy-boto3-*,
  botocore/boto3 per-service clients): these never appear in news and would only pad the list.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import tomllib
from pathlib import Path

AI = "AI & machine learning"
WEB = "Web"
DATA = "Data science & analytics"
PERF = "Performance & concurrency"
PKG = "Packaging & tooling"
CORE = "Core Python & CPython"
TYPING = "Typing"
TEST = "Testing & code quality"
SEC = "Security"
OPS = "DevOps & deployment"
COMMUNITY = "Community & events"
LEARN = "Learning & tutorials"

# Hand-curated: the projects Python news talks about, by topic. Names as PyPI spells them
# (lower case) or as news writes them; curated names skip the length and stop-word filters.
CURATED: dict[str, str] = {
    AI: """
        pytorch torch torchvision torchaudio tensorflow keras jax flax optax transformers
        diffusers peft trl tokenizers safetensors sentence-transformers huggingface-hub
        hugging-face scikit-learn sklearn xgboost lightgbm catboost ollama openai anthropic
        langchain langgraph langsmith llama-index llamaindex llama-cpp-python vllm litellm
        dspy haystack-ai semantic-kernel autogen crewai smolagents pydantic-ai mcp fastmcp
        chromadb qdrant-client pinecone weaviate-client faiss faiss-cpu spacy nltk gensim
        fasttext opencv opencv-python onnx onnxruntime tensorrt triton mlflow wandb optuna
        pytorch-lightning fastai timm ultralytics mediapipe openai-whisper stable-baselines3
        gymnasium pettingzoo tiktoken sentencepiece gradio chainlit llm magentic
        pytorch-ignite torchmetrics deepspeed bitsandbytes xformers mlx mlx-lm jaxlib
        keras-nlp keras-cv tensorboard chatgpt
    """,
    WEB: """
        django flask fastapi starlette uvicorn gunicorn hypercorn granian daphne litestar
        sanic quart aiohttp httpx requests-html werkzeug jinja jinja2 htmx django-htmx
        djangorestframework django-rest-framework django-ninja wagtail django-cms mezzanine
        django-channels celery django-celery-beat sqlalchemy sqlmodel alembic peewee
        tortoise-orm websockets python-socketio flask-socketio strawberry-graphql pyscript
        pyodide nicegui flet anvil-uplink scrapy beautifulsoup beautifulsoup4 bs4 selenium
        mechanicalsoup django-allauth django-debug-toolbar django-extensions django-filter
        django-cors-headers whitenoise django-environ flask-sqlalchemy flask-login flask-wtf
        wtforms connexion flask-restful apispec authlib httpie urllib urllib3 requests-oauthlib
        python-multipart pelican lektor
    """,
    DATA: """
        pandas polars numpy scipy matplotlib seaborn plotly bokeh altair holoviews hvplot
        jupyter jupyterlab notebook ipython ipykernel ipywidgets nbconvert nbformat papermill
        marimo quarto streamlit duckdb pyarrow fastparquet dask xarray vaex modin statsmodels
        sympy networkx geopandas folium cartopy rasterio pyproj openpyxl xlsxwriter pandera
        great-expectations dbt-core sqlglot ibis-framework narwhals pyspark apache-airflow
        airflow prefect dagster kedro numexpr h5py zarr netcdf4 astropy scikit-image pytimetk
        datasette sqlite-utils plotnine pygwalker great-tables itables deltalake
    """,
    PERF: """
        asyncio trio anyio gevent uvloop twisted cython numba pypy mypyc nuitka pyjion
        pyston py-spy scalene pyinstrument memray line-profiler memory-profiler viztracer
        yappi pyperf pytest-benchmark asv joblib loky multiprocess orjson msgspec ujson pyo3
        nanobind pybind11 cffi subinterpreters free-threading free-threaded nogil jit
    """,
    PKG: """
        uv uvx pip pipx hatch hatchling pdm poetry poetry-core flit-core setuptools
        setuptools-scm wheel twine virtualenv venv pyenv conda micromamba pixi conda-forge
        anaconda miniconda pipenv pip-tools ruff pyinstaller beeware cibuildwheel auditwheel
        delocate scikit-build scikit-build-core meson meson-python maturin pyproject-hooks
        pyproject.toml pyproject-fmt pex zipapp devpi pypiserver bandersnatch packaging
        importlib-metadata cookiecutter pyscaffold versioneer bump2version bump-my-version
        commitizen tbump pdm-backend poethepoet pylock.toml pypi pypa uv-build sphinx mkdocs
        mkdocs-material
    """,
    CORE: """
        cpython python-dev steering-council pep peps micropython circuitpython jython
        ironpython graalpy rustpython brython pythonnet stdlib standard-library tomllib
        dataclasses pathlib importlib functools itertools contextlib argparse
        python-build-standalone bytecode
    """,
    TYPING: """
        mypy pyright pyrefly ty typeshed typing-extensions typing_extensions pydantic
        beartype typeguard pyre-check pytype basedpyright basedmypy monkeytype pyannotate
        mypy-extensions typing-inspect annotated-types pydantic-core
    """,
    TEST: """
        pytest hypothesis unittest coverage coverage.py pytest-cov pytest-xdist pytest-mock
        pytest-asyncio pytest-django pytest-randomly tox nox mock vcrpy pytest-recording
        freezegun time-machine faker factory-boy model-bakery mutmut cosmic-ray pytest-bdd
        robotframework locust flake8 pylint pyflakes pycodestyle pydocstyle pep8 isort
        autopep8 yapf pyupgrade autoflake codespell pre-commit pre-commit-hooks
        wemake-python-styleguide syrupy inline-snapshot pytest-pytorch testcontainers
        schemathesis playwright-pytest
    """,
    SEC: """
        cryptography pyopenssl pycryptodome pycryptodomex bcrypt argon2-cffi passlib pyjwt
        python-jose jwcrypto itsdangerous paramiko certifi truststore defusedxml pip-audit
        semgrep sigstore in-toto tuf python-gnupg pynacl oscrypto scapy impacket yara-python
    """,
    OPS: """
        docker docker-compose kubernetes k8s helm terraform pulumi ansible ansible-core
        saltstack boto3 botocore awscli aws-cdk-lib aws-sam-cli azure-cli google-cloud-sdk
        gcloud serverless zappa mangum sentry-sdk opentelemetry-api opentelemetry-sdk
        prometheus-client datadog ddtrace newrelic elastic-apm github-actions gitlab-ci nginx
        traefik podman buildah skaffold localstack apache-libcloud openstacksdk pyinfra
        testinfra
    """,
    COMMUNITY: """
        pycon pycon-us europython djangocon pydata pyladies psf python-software-foundation
        django-software-foundation numfocus pyohio pybay pygotham pycascades kiwipycon
        pycon-au pycon-apac python-brasil pyconde
    """,
    # Publishers' own names (realpython, pybites, python-morsels) are left out: a site names
    # itself in every summary, so they would act as a source hint, not as a topic.
    LEARN: """
        exercism advent-of-code
        automate-the-boring-stuff think-python
    """,
}

# Keyword rules per topic: regular expressions matched case-insensitively on word boundaries
# against the package summary. A summary matching exactly one topic gives a generated entry.
RULES: dict[str, list[str]] = {
    AI: [
        r"machine[- ]learning", r"deep[- ]learning", r"neural networks?", r"llms?",
        r"large language models?", r"language models?", r"transformer models?",
        r"openai", r"anthropic", r"langchain", r"llama[- ]?index", r"pytorch", r"tensorflow",
        r"keras", r"hugging ?face", r"generative ai", r"reinforcement learning",
        r"computer vision", r"natural language processing", r"nlp", r"chatgpt", r"gpt(-\d)?",
        r"ai agents?", r"ai", r"ml models?", r"mlops", r"vector (database|store|search)",
        r"embeddings?", r"onnx", r"object detection", r"speech recognition",
        r"text[- ]to[- ]speech", r"gradient boosting", r"diffusion models?",
        r"model context protocol", r"mcp server", r"inference server", r"fine[- ]tun(e|ing)",
        r"artificial intelligence",
    ],
    WEB: [
        r"django", r"flask", r"fastapi", r"starlette", r"web frameworks?",
        r"web (applications?|apps?)", r"web servers?", r"wsgi", r"asgi", r"http clients?",
        r"http servers?", r"http library", r"http/1\.1", r"http/2", r"rest(ful)? apis?",
        r"restful", r"graphql", r"websockets?", r"html", r"css", r"jinja2?",
        r"template engines?", r"templating", r"web scraping", r"scrap(er|ing) framework",
        r"openapi", r"swagger", r"sqlalchemy", r"orm", r"pyramid", r"tornado", r"aiohttp",
        r"httpx", r"cookies?", r"cors", r"web development", r"web ui", r"web pages?",
        r"websites?", r"static site generator", r"browser automation", r"htmx",
    ],
    DATA: [
        r"data ?frames?", r"pandas", r"polars", r"numpy", r"scipy", r"plotting", r"plots?",
        r"visuali[sz]ations?", r"charts?", r"charting", r"jupyter(lab)?", r"notebooks?",
        r"ipython", r"statistics", r"statistical", r"data analysis", r"data science",
        r"data scientists?", r"apache arrow", r"parquet", r"excel", r"spreadsheets?",
        r"xlsx", r"time[- ]series", r"geospatial", r"gis", r"matplotlib",
        r"array computing", r"scientific computing", r"numerical", r"interpolation",
        r"etl", r"data pipelines?", r"data warehouses?", r"duckdb", r"dask", r"xarray",
        r"netcdf", r"hdf5", r"data engineering", r"data wrangling", r"tabular data",
        r"dashboards?", r"data validation for dataframes", r"workflow orchestration",
        r"astronomy", r"bioinformatics", r"image processing",
    ],
    PERF: [
        r"asyncio", r"async", r"asynchronous", r"concurrency", r"concurrent", r"parallel",
        r"parallelism", r"multiprocessing", r"multi-?threading", r"threading", r"thread pool",
        r"jit", r"just[- ]in[- ]time", r"profil(er|ing)", r"benchmarks?", r"benchmarking",
        r"cython", r"numba", r"speed ?ups?", r"event loop", r"uvloop", r"gevent", r"trio",
        r"coroutines?", r"high[- ]performance", r"fastest", r"blazing(ly)? fast",
        r"memory profil(er|ing)", r"sampling profiler", r"gil", r"free[- ]threaded",
    ],
    PKG: [
        r"packaging", r"build backends?", r"build system", r"wheels?", r"virtual ?env(ironment)?s?",
        r"virtualenv", r"dependency management", r"dependency resolver", r"package manager",
        r"package installer", r"pypi", r"setuptools", r"pyproject(\.toml)?", r"pip",
        r"poetry", r"hatch", r"conda", r"sdist", r"editable installs?", r"lock ?files?",
        r"entry ?points", r"project templates?", r"version(ing)? (bump|management)",
        r"bump(ing)? versions?", r"python installations?", r"python version manager",
        r"distribution packages?", r"import (hooks?|system)",
    ],
    CORE: [
        r"standard library", r"stdlib", r"backports?", r"backported", r"cpython",
        r"interpreter", r"bytecode", r"abstract syntax trees?", r"python 2 and 3",
        r"python 2/3", r"c api", r"pep ?\d+",
        r"python's built-?in", r"importlib",
    ],
    TYPING: [
        r"type hints?", r"type hinting", r"type annotations?", r"type checkers?",
        r"type checking", r"static typing", r"static types?", r"typing", r"stubs?",
        r"typed", r"mypy", r"pyright", r"typeddict", r"runtime type", r"protocol classes",
    ],
    TEST: [
        r"pytest", r"unittest", r"tests?", r"testing", r"mock(s|ing)?", r"fixtures?",
        r"coverage", r"lint(er|ers|ing)?", r"static analysis", r"code quality",
        r"code formatt(er|ing)", r"formatter", r"style checker", r"style guide",
        r"tox", r"nox", r"property[- ]based", r"snapshot testing", r"assertions?",
        r"fake data", r"test runner", r"flake8", r"pylint", r"doctests?", r"mutation testing",
        r"load testing", r"bdd", r"behaviou?r[- ]driven",
    ],
    SEC: [
        r"security", r"vulnerabilit(y|ies)", r"cryptograph(y|ic)", r"encryption",
        r"encrypt(ed|ing)?", r"decrypt(ion)?", r"password hashing", r"passwords?", r"jwt",
        r"json web tokens?", r"oauth ?2?", r"tls", r"ssl", r"x\.?509", r"certificates?",
        r"sanitiz(e|er|ing|ation)", r"secrets?", r"signing", r"signatures?", r"sigstore",
        r"audit(ing)?", r"malware", r"cve", r"penetration testing", r"pentest(ing)?",
        r"two[- ]factor", r"2fa", r"totp", r"authentication", r"ssh",
    ],
    OPS: [
        r"docker", r"dockerfile", r"containers?", r"kubernetes", r"k8s", r"aws",
        r"amazon web services", r"amazon s3", r"s3", r"azure", r"google cloud", r"gcp",
        r"terraform", r"ansible", r"deployments?", r"deploy(ing)?", r"ci/cd",
        r"continuous integration", r"continuous delivery", r"github actions", r"serverless",
        r"aws lambda", r"cloud", r"infrastructure", r"monitoring", r"observability",
        r"opentelemetry", r"prometheus", r"metrics", r"tracing", r"apm", r"helm",
        r"devops", r"orchestration", r"provisioning", r"sdk for (aws|azure|google)",
        r"cloudformation", r"pulumi", r"logging", r"log shipping",
    ],
}

# Generated names never emitted: common English words and generic technical words that would
# match unrelated text as a whole word, and vendor words that name a whole company rather than
# one project. Matching is on the normalised (lower-case) name.
STOP = set(
    """
    about above access accessible action actions active adapter addict address admin
    advanced agent agents aiohttp-retry alembic-utils alive alive-progress annotated
    answer apache api apis app apply apps arrow artifact asgiref assertpy astor async
    atomic attr attrs audio auth authlib autograd avro azure backoff backports base
    basic batch bcrypt beaker behave better binary binaryornot black bleach blessed
    blinker block blue bokeh boost boto botocore bottle boxes bracex brotli bucket
    build builder bytecode cache cached cachetools caching callback camel canvas capture
    case catalogue cattrs celery certifi chain chardet charset check checker checks
    circuit clean cleo cli click client cloud cloudpickle code codecs color colorama
    colored colors coloredlogs columns command common compat compile complete compose
    compute conf config configparser connect connection console constant constraint
    construct constructs container content context contextlib2 contextvars control
    convert cookie coolname copy core coverage crash create cron cryptography
    cursor custom cycler dash data database dataclasses dataset datasets date dateparser
    datetime decorator deepdiff default defusedxml delta deprecated deprecation design
    detect devtools diff dill direct distlib distro dnspython docker docopt docs
    document domain dotenv dotmap drive dynaconf easy editor effect elastic email
    embedding emoji empty encode engine enum environ envs equal event events example
    exceptiongroup executing expiring explain export expression extension extract
    fabric factory fake faker fastjsonschema feature fields file filelock files filter
    fire first flake flask-cors flask-login flatten fluent form format formatter forms
    frozendict frozenlist fsspec functions future futures gast gate generate generator
    geometry github global glob google graph graphviz great green grpc guard hash
    header help helper history holidays hook hooks html html5lib humanize hyperframe
    hyperlink icdiff identity idna image imagesize import importlib include index
    inflect inflection info injector input inspect install instance integration
    interface invoke isodate items iterable jaraco jellyfish jinja2 joblib json jsonpatch
    jsonpath jsonpointer jsonschema jupyter keyring kombu language languages layer lazy
    library lightning lines link linkify links list lock logger logging loguru lxml
    magic make mako mapping markdown markupsafe marshmallow mass match matches math
    measure memory merge meson message messages meta metrics micro mimesis minimal mirror
    mistune mock model models module monotonic more more-itertools mpmath msgpack
    multidict multiprocess multipledispatch names native natsort nest network networkx
    node nodeenv notebook number numbers oauthlib object objects observe office open
    operator optional options order ordered orderly orjson outcome output package
    packaging paramiko parse parser parsimonious parso partial passlib patch path
    pathlib pathspec pathtools pattern patterns pbr pendulum pexpect pillow pipe pipes
    platform platformdirs plugin plugins plumbum pluggy plus point polib pool portend
    portalocker power premailer pretty prettytable primitive print process progress
    progressbar project prompt properties protobuf proto proxy psutil public pure
    pyasn1 pycparser pygments pyjwt pyparsing pytz query queue quick random range
    rapidfuzz rate ratelimit react read readme record redis reference registry regex
    release remote render report reports request requests resource resources response
    responses rest result retry retrying rich rope route router routes rule rules
    runner safe safety sample scan schedule schema schemas scope scrypt search secret
    secrets select semver send sentry serial serializer server service services session
    setup shapely share shell signal signals simple simplejson singleton site six slack
    slugify smart smmap snowballstemmer socket solid sort sorted sortedcontainers source
    space spark speed sphinx split sqlparse stack standard start state static stats
    status stem stomp storage stream streaming streamlit strict string structlog style
    sugar super support sure switch sympy system table tables tabulate tabulator tag
    target task tasks template tempora tenacity term terminal termcolor test testing
    testpath text textwrap3 theme thread threadpoolctl three throttle tiktoken time
    timeout timer token tokenize tokenizers toml tomli tomlkit tool toolbelt toolbox
    toolkit toolz tools tornado trace tracer track transaction transform transformers
    traitlets translate tree trio trove twine typer types typing ujson unidecode union
    unique unit universal update upload uritemplate urllib3 user utilities utils uuid
    validate validator validators value values vector version versioneer view virtual
    visitor voluptuous waitress watch watchdog wcwidth weasel web webcolors webencodings
    websocket websockets werkzeug wheel widget widgets word words worker workflow wrapt
    writer xlrd xmltodict yarl zeep zipp zope
    accelerate arrow-odbc blessings boltons box brace colour crayons cursor-pagination
    dependency-injector eventlet excel flower frozen gunicorn hacking httpretty invoke-tool
    libcloud mypy-extensions plan pyee rsa sh slicer sniffio soupsieve sparse
    statsd stevedore supervisor syrupy tblib toposort tzdata tzlocal vine wasabi
    websocket-client
    acquire agate anys arsenic baize bandit bernstein bluesky blurb bumble cabina callee
    certificates chameleon cheroot chevron classes cmake coiled comm compel cookies copier
    corner cottage crick crypto cursive daft databases datafiles davey descartes distributed
    dockerfile dominate duet eliot ensure entrypoints equinox evaluate evidently expects
    extras falcon favicon fixtures flair flaky flex flit formulas frida galois gekko glances
    glom gower greenback hampel honeybadger hume hunter hyper iden inform installer
    instructor interpret jacobi janus jira julius kappa keke laces lagom later leather lime
    lizard mammoth marvin massive metaphone newb ninja none nose openapi outdated panda panel
    para parquet paste patchwork paver pebble pecan percy priority purgatory pyramid
    quantities radon ratio reflex returns ring river roma scheduler shimmy shiny signify
    simile singledispatch slippers slumber sonora spaces splinter spur statistics surrogate
    swapper syncer targ tink toons trainer traits trie uplink vega verifiers watermark whey
    whitebox wily wired xenon
    """.split()
)

# Stub-only and generated per-service packages: correct topics, but never named in news.
SKIP_NAME_RE = re.compile(
    r"^(types-|mypy-boto3-|boto3-stubs|botocore-stubs|types_)|-stubs$|^google-cloud-.*-v\d|"
    r"^azure-mgmt-|^pulumi-|^aws-cdk\.|^aws-cdk-|^opentelemetry-instrumentation-"
)


def compile_rules() -> dict[str, re.Pattern[str]]:
    return {
        topic: re.compile(r"(?<![\w-])(?:" + "|".join(pats) + r")(?![\w-])", re.IGNORECASE)
        for topic, pats in RULES.items()
    }


def taxonomy(feeds: Path) -> list[str]:
    with feeds.open("rb") as f:
        doc = tomllib.load(f)
    return [t["name"] for t in doc.get("topic", [])]


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.strip().lower())


def generated(pypi: Path) -> dict[str, str]:
    rules = compile_rules()
    out: dict[str, str] = {}
    with pypi.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        if header[:5] != ["name", "version", "month", "rank_among_15000_most_downloaded", "summary"]:
            sys.exit(f"{pypi}: unexpected header {header!r}")
        for row in reader:
            if len(row) < 5 or not row[3].strip():
                continue
            name, summary = normalise(row[0]), row[4].strip()
            if len(name) < 4 or name in STOP or SKIP_NAME_RE.search(name):
                continue
            if not re.search(r"[a-z]", name) or len(summary.split()) < 3:
                continue
            hits = {t for t, rx in rules.items() if rx.search(summary)}
            if len(hits) == 1:
                out[name] = hits.pop()
    return out


def curated() -> dict[str, str]:
    out: dict[str, str] = {}
    for topic, names in CURATED.items():
        for n in names.split():
            n = n.lower()
            if n in out and out[n] != topic:
                sys.exit(f"curated name {n!r} is in two topics: {out[n]!r} and {topic!r}")
            out[n] = topic
    return out


def main() -> None:
    here = Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("pypi_tsv", type=Path, help="name/version/month/rank/summary TSV")
    ap.add_argument("--feeds", type=Path, default=here / "feeds.toml",
                    help="feeds.toml whose [[topic]] names are the allowed topics")
    ap.add_argument("--out", type=Path, default=here / "data" / "lexicon.tsv")
    args = ap.parse_args()

    topics = set(taxonomy(args.feeds))
    used = set(CURATED) | set(RULES)
    if unknown := sorted(used - topics):
        sys.exit(f"topics not in {args.feeds}: {unknown}")

    entries = {n: (t, "generated") for n, t in generated(args.pypi_tsv).items()}
    cur = curated()
    entries.update({n: (t, "curated") for n, t in cur.items()})

    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="\n") as f:
        f.write("name\ttopic\torigin\n")
        for name in sorted(entries):
            topic, origin = entries[name]
            f.write(f"{name}\t{topic}\t{origin}\n")
    n_gen = sum(1 for _, o in entries.values() if o == "generated")
    print(f"{args.out}: {len(entries)} names ({len(cur)} curated, {n_gen} generated)",
          file=sys.stderr)


if __name__ == "__main__":
    main()
