"""store.py: writers queue in the kernel before SQLite's lock, and never wait on themselves."""

import threading

from fieldapp import store


def make(path):
    db = store.connect(str(path))
    db.execute("CREATE TABLE IF NOT EXISTS t (n INTEGER)")
    return db


def test_many_threads_write_without_database_is_locked(tmp_path):
    make(tmp_path / "s.sqlite3")
    failures = []

    def writer(n):
        db = make(tmp_path / "s.sqlite3")
        try:
            for i in range(20):
                with store.write(db):
                    db.execute("INSERT INTO t VALUES (?)", [n * 100 + i])
        except Exception as error:  # noqa: BLE001 - any failure fails the test below
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures
    assert store.scalar(make(tmp_path / "s.sqlite3"), "SELECT COUNT(*) FROM t") == 240
    assert (tmp_path / "s.sqlite3-writers").exists()


def test_a_write_inside_a_write_on_another_connection_does_not_wait_on_itself(tmp_path):
    first, other = make(tmp_path / "a.sqlite3"), make(tmp_path / "b.sqlite3")
    with store.write(first):
        first.execute("INSERT INTO t VALUES (1)")
        with store.write(other):  # another database, same thread: no queue to wait in
            other.execute("INSERT INTO t VALUES (2)")
    assert store.scalar(other, "SELECT COUNT(*) FROM t") == 1


def test_a_failed_write_lets_the_next_one_in(tmp_path):
    db = make(tmp_path / "c.sqlite3")
    try:
        with store.write(db):
            db.execute("INSERT INTO t VALUES (1)")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with store.write(db):
        db.execute("INSERT INTO t VALUES (2)")
    assert store.scalar(db, "SELECT COUNT(*) FROM t") == 1
