"""A file written by one thread, read as a stream of chunks by another: big ZIPs, no disk.

A region's acceptance packets with every photo can be tens of gigabytes; made as a file they
fill the disk the database and incoming photos share. Here the writer (zipfile, which copes
with an output it cannot seek) runs in a thread and hands 256 KiB chunks through a bounded
queue to the response, so memory stays at a few megabytes and nothing touches the disk. If
the reader goes away (the admin cancelled the download), the writer's next write fails and
the thread ends.
"""

import io
import queue
import threading

CHUNK = 256 * 1024
QUEUED_CHUNKS = 8
_DONE = object()


class Cancelled(Exception):
    """The reader stopped reading: the writer gives up."""


class _Pipe(io.RawIOBase):
    """A write-only, unseekable file whose writes go into a bounded queue."""

    def __init__(self, chunks, cancelled):
        self.chunks, self.cancelled = chunks, cancelled

    def writable(self):
        return True

    def write(self, data):
        _put(self.chunks, self.cancelled, bytes(data))
        return len(data)


def _put(chunks, cancelled, item):
    while True:
        if cancelled.is_set():
            raise Cancelled()
        try:
            chunks.put(item, timeout=0.5)
            return
        except queue.Full:
            continue


def stream(produce):
    """Yield the bytes `produce(out)` writes to the file object `out`, as it writes them.

    An exception in `produce` is raised to the reader after what was written before it.
    """
    chunks, cancelled, failure = queue.Queue(QUEUED_CHUNKS), threading.Event(), []

    def run():
        try:
            with io.BufferedWriter(_Pipe(chunks, cancelled), CHUNK) as out:
                produce(out)
        except Cancelled:
            return
        except BaseException as error:  # noqa: BLE001 - handed to the reader below
            failure.append(error)
        try:
            _put(chunks, cancelled, _DONE)
        except Cancelled:
            pass

    writer = threading.Thread(target=run, daemon=True)
    writer.start()
    try:
        while (chunk := chunks.get()) is not _DONE:
            yield chunk
        if failure:
            raise failure[0]
    finally:
        cancelled.set()
        writer.join(timeout=5)
