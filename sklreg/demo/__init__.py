"""The sklreg demo: every method family fitted, tuned and compared on embedded data.

Run it with ``python -m sklreg.demo`` or the console script ``sklreg-demo``. Each family
contributes a section module ``sklreg/demo/_<family>.py`` with a function
``run(ctx)``; a family that has not landed yet is listed as planned.
"""

import argparse
import importlib
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DemoContext", "main"]

SECTIONS = [
    ("Data generators", "sklreg.demo._datasets"),
    ("SLOPE with strong screening", "sklreg.demo._slope"),
    ("Sparse CCA", "sklreg.demo._cca"),
    ("Local graph clustering", "sklreg.demo._graph"),
    ("Conformal prediction under covariate shift", "sklreg.demo._conformal"),
    ("LDAM classifiers for imbalanced data", "sklreg.demo._ldam"),
    ("Contrastive embedders", "sklreg.demo._contrastive"),
]


def format_table(headers, rows):
    """Format rows as a plain-text table with aligned columns.

    Parameters
    ----------
    headers : list of str
        Column titles.
    rows : list of sequences
        Table rows; floats are printed with four significant digits.

    Returns
    -------
    text : str
        The table, one line per row, headers underlined.

    Examples
    --------
    >>> print(format_table(["model", "score"], [["a", 0.5], ["bb", 0.25]]))
    model  score
    -----  -----
    a        0.5
    bb      0.25
    """
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [
        max(len(str(h)), *(len(r[i]) for r in cells)) if cells else len(str(h))
        for i, h in enumerate(headers)
    ]

    def line(values):
        return "  ".join(
            v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(values, widths))
        ).rstrip()

    out = [line([str(h) for h in headers]), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)


def _cell(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


@dataclass
class DemoContext:
    """What a demo section gets: where to save figures, a seed, and printing helpers.

    Parameters
    ----------
    output_dir : pathlib.Path
        Folder where the section saves its figures.
    random_state : int
        Seed for the section's data and estimators.
    quick : bool
        Whether to use smaller data and grids.

    Attributes
    ----------
    figures : list of pathlib.Path
        Figures saved so far.

    Examples
    --------
    >>> from pathlib import Path
    >>> ctx = DemoContext(Path("."), random_state=0, quick=True)
    >>> ctx.random_state
    0
    """

    output_dir: Path
    random_state: int = 0
    quick: bool = False
    figures: list = field(default_factory=list)

    def progress(self, message):
        """Print a progress line."""
        print(f"  ... {message}", flush=True)

    def table(self, headers, rows, title=None):
        """Print a table of results."""
        if title:
            print(f"\n  {title}")
        print("\n".join("  " + line for line in format_table(headers, rows).split("\n")))

    def save_figure(self, fig, name):
        """Save a matplotlib figure under the output folder and return its path."""
        self.output_dir.mkdir(parents=True, exist_ok=True)
        path = self.output_dir / f"{name}.png"
        fig.savefig(path, dpi=110, bbox_inches="tight")
        self.figures.append(path)
        return path


def _load_section(module_name):
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            return None
        raise


def main(argv=None):
    """Run the demo; ``argv`` as on the command line."""
    parser = argparse.ArgumentParser(prog="sklreg-demo", description=__doc__)
    parser.add_argument("--output-dir", default="sklreg_demo_output", type=Path)
    parser.add_argument("--random-state", default=0, type=int)
    parser.add_argument("--quick", action="store_true", help="smaller data and grids")
    parser.add_argument(
        "--sections", nargs="*", help="run only sections whose title contains these"
    )
    args = parser.parse_args(argv)

    try:
        import matplotlib
    except ModuleNotFoundError:
        parser.error("the demo draws figures with matplotlib: pip install 'sklreg[demo]'")
    matplotlib.use("Agg")
    ctx = DemoContext(args.output_dir, args.random_state, args.quick)
    print(f"sklreg demo: figures go to {args.output_dir.resolve()}")
    start_all = time.perf_counter()
    for i, (title, module_name) in enumerate(SECTIONS, 1):
        if args.sections and not any(s.lower() in title.lower() for s in args.sections):
            continue
        print(f"\n[{i}/{len(SECTIONS)}] {title}", flush=True)
        module = _load_section(module_name)
        if module is None:
            print("  planned: this family has not landed yet")
            continue
        start = time.perf_counter()
        module.run(ctx)
        print(f"  ({time.perf_counter() - start:.1f} s)")
    print(f"\nDone in {time.perf_counter() - start_all:.1f} s.")
    for path in ctx.figures:
        print(f"  figure: {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
