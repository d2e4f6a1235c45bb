"""The same indicator definitions on Spark (local mode) give the same JSON as DuckDB.

Runs in the ``[spark]`` environment (``.ci/run`` builds it as its own stage: pyspark
needs pandas < 3); elsewhere it is skipped with the reason shown.
"""

import shutil
from datetime import date

import pytest

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (optional extra: pip install -e '.[spark]')")
if shutil.which("java") is None:
    pytest.skip("Java is not installed: Spark local mode needs a JVM", allow_module_level=True)

import ibis  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402

from motcua.index766.engine import score  # noqa: E402
from motcua.index766.facts import RELATIONS, Facts  # noqa: E402
from motcua.index766.sources import load_exchange_set  # noqa: E402
from motcua.interchange.generator import generate_exchange_set  # noqa: E402

from .conftest import NOW  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    session = (
        SparkSession.builder.master("local[2]")
        .appName("motcua-766")
        .config("spark.sql.session.timeZone", "UTC")  # facts are UTC-naive instants
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_spark_scores_like_duckdb(spark, tmp_path):
    generate_exchange_set(tmp_path / "set", dossiers=300, seed=11, until=date(2026, 11, 20), units=60, procedures=200)
    duck = load_exchange_set(tmp_path / "set")
    for name in RELATIONS:  # Parquet carries the column types across
        path = str(tmp_path / f"{name}.parquet")
        duck.table(name).to_parquet(path)
        spark.read.parquet(path).createOrReplaceTempView(name)
    on_spark = Facts.from_backend(ibis.pyspark.connect(spark))
    assert on_spark.backend_name == "pyspark"
    expected = score(duck, "2026-Q3", now=NOW).to_json()
    assert score(on_spark, "2026-Q3", now=NOW).to_json() == expected
