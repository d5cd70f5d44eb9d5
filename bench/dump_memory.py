"""Peak memory while loading synthetic Stack Exchange dumps of growing size.

    python -m bench.dump_memory [--sizes-mb 50 200 1000]
    python -m bench.dump_memory --big-row-mb 5 20 40

Each size is loaded in a fresh process (the Posts.xml loader alone, threads consumed and
dropped as a build would tokenize them); the table shows the file size, threads, seconds and
peak resident memory. Flat memory across sizes is what streaming promises. With
``--big-row-mb``, each dump is a 1 MB one with one answer row of that size in the middle: the
seconds show whether parsing stays linear in the row's size.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROW = ('  <row Id="{q}" PostTypeId="1" Score="3" Title="Question {q} about ferries" '
       'Tags="|ships|news|" Body="&lt;p&gt;What happened to ferry {q}?&lt;/p&gt;" />\n'
       '  <row Id="{a}" PostTypeId="2" ParentId="{q}" Score="5" Body="&lt;p&gt;According to '
       '&lt;a href=&quot;https://www.bbc.co.uk/news/{q}&quot;&gt;the BBC&lt;/a&gt;:&lt;/p&gt;'
       '&lt;blockquote&gt;&lt;p&gt;{words}&lt;/p&gt;&lt;/blockquote&gt;&lt;p&gt;My own '
       'view is that {words}&lt;/p&gt;" />\n')
WORDS = " ".join(f"word{i % 997}" for i in range(120))


def write_dump(path: Path, megabytes: float, *, big_row_mb: float = 0) -> int:
    target = megabytes * 1024 * 1024
    written = questions = 0
    with path.open("w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<posts>\n')
        while written < target:
            chunk = ROW.format(q=2 * questions + 1, a=2 * questions + 2, words=WORDS)
            f.write(chunk)
            written += len(chunk)
            questions += 1
            if big_row_mb and written >= target / 2:
                body = "&lt;p&gt;" + "lorem ipsum " * int(big_row_mb * 2**20 / 12) + "&lt;/p&gt;"
                f.write(f'  <row Id="999999999" PostTypeId="2" ParentId="1" Body="{body}" />\n')
                big_row_mb = 0
        f.write("</posts>\n")
    return questions


CHILD = """
import sys, time, resource
from pathlib import Path
from index.loaders import LoadContext
from index.loaders.sedump import load
t = time.perf_counter()
n = sum(1 for _ in load(Path(sys.argv[1]), LoadContext()))
print(n, round(time.perf_counter() - t, 1), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def main(sizes: list[int], big_rows: list[int]) -> None:
    root = Path(__file__).resolve().parents[1]
    print(f"{'Posts.xml':>10} {'big row':>8} {'threads':>9} {'seconds':>8} {'peak RSS':>9}")
    for mb, row_mb in [(mb, 0) for mb in sizes] if not big_rows else [(1, r) for r in big_rows]:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "ferries"
            folder.mkdir()
            write_dump(folder / "Posts.xml", mb, big_row_mb=row_mb)
            size = (folder / "Posts.xml").stat().st_size / 2**20
            out = subprocess.run([sys.executable, "-c", CHILD, str(folder / "Posts.xml")],
                                 capture_output=True, text=True, cwd=root, check=True).stdout
            threads, seconds, rss_kb = out.split()
            print(f"{size:>7.0f} MB {row_mb:>5} MB {int(threads):>9,} {float(seconds):>8.1f} "
                  f"{int(rss_kb) / 1024:>6.0f} MB", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[50, 200, 1000])
    parser.add_argument("--big-row-mb", type=int, nargs="+", default=[],
                        help="instead: 1 MB dumps, each with one row of this size")
    args = parser.parse_args()
    main(args.sizes_mb, args.big_row_mb)
