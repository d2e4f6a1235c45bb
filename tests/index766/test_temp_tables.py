"""Temporary tables of an evaluation: a DROP that fails is logged, never swallowed silently or raised."""

import ibis
import pytest

from motcua.index766.context import drop_temp_tables


def test_a_drop_that_fails_on_the_database_is_logged(caplog):
    con = ibis.duckdb.connect()
    con.raw_sql('CREATE TEMP TABLE "_m766_t" AS SELECT 1 AS x')
    drop_temp_tables(con, ["_m766_t"])
    assert con.raw_sql("SELECT count(*) FROM duckdb_tables() WHERE table_name = '_m766_t'").fetchone() == (0,)
    con.disconnect()  # a closed connection: the drop fails in the driver
    with caplog.at_level("WARNING", logger="motcua.index766"):
        drop_temp_tables(con, ["_m766_u"])
    assert "temporary table _m766_u not dropped" in caplog.text


def test_anything_but_a_database_error_propagates():
    with pytest.raises(AttributeError):
        drop_temp_tables(object(), ["_m766_t"])
