"""The `rote` command: parses arguments, calls the library, prints. No logic of its own.

Every user error (a bad flag, an unknown id, a malformed file) ends as one line on stderr and
exit code 2; a traceback would mean a bug in rote.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from rich.console import Console
from rich.table import Table

from rote.agents import agent_description, agent_names, make_agent
from rote.data.overcooked import SPLITS as OVERCOOKED_SPLITS
from rote.data.overcooked import export_overcooked
from rote.envs import make_env, registered_envs, registrations
from rote.envs.overcooked import LAYOUTS as OVERCOOKED_LAYOUTS
from rote.errors import RoteError
from rote.evaluation.bench import results_path, run_bench
from rote.evaluation.methods import METHODS, Context, bench_methods, method
from rote.evaluation.prediction import PredictionReport, prediction_report
from rote.evaluation.protocols import UPDATING
from rote.evaluation.suites import suite, suite_builders
from rote.evaluation.summary import markdown, summarize, write_outputs
from rote.plugins import in_plugin, load_plugin
from rote.programs.confinement import detect
from rote.programs.sandbox import Sandbox
from rote.progress import progress_bar
from rote.proposers import LLM_PROPOSERS, PROPOSERS, Budget, Proposer, make_proposer
from rote.proposers.llm.config import LLMConfig
from rote.proposers.llm.prompts import VARIANTS
from rote.rollout import episode_path, generate
from rote.trajectory import Trajectory, TrajectoryReader, WriteReport, parse_json, read_trajectory
from rote.version import __version__

EXIT_USAGE = 2
DEMO_ENV = "construction"


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors on a single line."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


MAX_STEPS = 100_000
MAX_EPISODES = 10_000
MAX_BUDGET = 1_000_000
MAX_PARTICLES = 1_000
"""Bounds on what one command may ask of this machine: beyond them a run goes on for hours or
takes all memory (`generate --steps 1000000000`, `predict --budget 1000000000`, and
`--particles 100000000`, which asks an LLM server for that many answers, did)."""


def _whole(low: int, meaning: str, most: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` (`meaning` says so in words) to `most`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be {meaning}, not {text}")
        if most is not None and value > most:
            raise argparse.ArgumentTypeError(f"must be at most {most:,}, not {text}")
        return value

    return parse


_positive_int = _whole(1, "positive")
_count = _whole(0, "0 or more")
_seed = _count  # numpy and gymnasium take no negative seeds


def _up_to(most: int) -> Callable[[str], int]:
    """A positive whole number within one of the bounds above."""
    return _whole(1, "positive", most)


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = parse_json(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("must be a JSON object")
    return value


def _how_many(n: int, one: str, many: str) -> str:
    """`n` and the noun that goes with it: "1 trajectory", "2 trajectories"."""
    return f"{n} {one if n == 1 else many}"


def _cmd_doctor(args: argparse.Namespace, out: Console) -> None:
    confinement = detect()
    out.print(f"rote {__version__}, Python {platform.python_version()} on {platform.system()}")
    out.print("sandbox confinement (docs/security.md):")
    for line in confinement.describe():
        out.print(f"  {line}")
    start = time.perf_counter()
    with Sandbox(workers=1) as sandbox:
        (result,) = sandbox.replay([_PROBE], [{}], ["stay", "up"])
    seconds = time.perf_counter() - start
    if result.error is not None or result.outputs != ["up"]:
        raise RoteError(f"the sandbox does not run programs: {result.error}")
    out.print(f"sandbox check: a program ran in a fresh worker in {seconds:.2f} s")


_PROBE = "class Agent:\n    def act(self, observation):\n        return 'up'\n"
"""The program `rote doctor` runs to show that the sandbox works."""


def _cmd_envs(args: argparse.Namespace, out: Console) -> None:
    table = Table("env", "actions", "simulated", "scripted agents")
    for env_id in registered_envs():
        spec = make_env(env_id)
        table.add_row(
            env_id,
            ", ".join(spec.action_names),
            "yes" if spec.simulated else "no",
            str(len(agent_names(env_id))),
        )
    for family in registrations():
        if family.prefix:
            agents = str(len(family.agent_factories()))
            table.add_row(f"{family.id}:<id>", "(per level)", "yes", agents)
    out.print(table)


def _cmd_agents(args: argparse.Namespace, out: Console) -> None:
    spec = make_env(args.env)  # an unknown env is an error, not an empty list
    names = agent_names(args.env)
    if not names:
        kind = "" if spec.simulated else " (it is replay-only: its trajectories are recorded)"
        out.print(f"{args.env} has no scripted agents{kind}")
        return
    out.print(f"scripted agents of {args.env}:")
    width = max(map(len, names))
    for name in names:  # one line each, unwrapped, so that a script can read the first word
        out.print(f"{name:<{width}}  {agent_description(args.env, name)}", soft_wrap=True)


def _generate(env_id: str, agents: Sequence[str], args: argparse.Namespace) -> WriteReport:
    """`generate` from the parsed flags, behind a progress bar on terminals."""
    total = len(agents) * args.episodes
    with progress_bar() as progress:
        task = progress.add_task("generating", total=total)
        return generate(
            env_id,
            agents,
            episodes=args.episodes,
            steps=args.steps,
            seed=args.seed,
            out_dir=Path(args.out),
            swap_at=args.swap_at,
            noise=args.noise,
            env_kwargs=args.env_kwargs,
            on_done=lambda _path: progress.advance(task),
        )


def _cmd_generate(args: argparse.Namespace, out: Console) -> None:
    agents = agent_names(args.env) if args.agent == "all" else [args.agent]
    if args.agent == "all" and not agents:
        make_env(args.env)
        raise RoteError(f'env "{args.env}" has no scripted agents')
    report = _generate(args.env, agents, args)
    out.print(
        f"wrote {_how_many(len(report.written), 'trajectory', 'trajectories')} to {args.out}"
        f" (kept {len(report.kept)} already there)"
    )


def _cmd_validate(args: argparse.Namespace, out: Console) -> None:
    failed = 0
    for path in args.files:
        try:
            with TrajectoryReader(path) as reader:
                count = sum(1 for _ in reader)
            out.print(f"ok {path}: {count} steps of {reader.header.env}")
        except RoteError as error:
            failed += 1
            print(f"error: {in_plugin(error)}", file=sys.stderr)
    if failed:
        sys.exit(EXIT_USAGE)


def _cmd_render(args: argparse.Namespace, out: Console) -> None:
    with TrajectoryReader(args.file) as reader:
        last = -1
        for last, step in enumerate(reader):
            if last == args.step:
                out.print(reader.spec.render_text(step.observation))
                out.print(f"action: {step.action or '(not given)'}")
                return
    raise RoteError(f"{args.file}: --step {args.step} is past the last step ({last})")


def _cmd_demo(args: argparse.Namespace, out: Console) -> None:
    agents = agent_names(DEMO_ENV)
    make_agent(DEMO_ENV, args.agent)  # an unknown family fails before the others are generated
    generated = _generate(DEMO_ENV, agents, args)
    out.print(
        f"One {args.steps}-step episode per scripted family ({len(agents)} families) in "
        f"{args.out}/ ({len(generated.written)} written, {len(generated.kept)} already there), "
        f"layout swapped at step {args.swap_at}."
    )
    path = episode_path(Path(args.out), args.agent, 0)
    out.print(
        f"\nROTE watches {args.observe} steps of {path.name}, writes programs that could have "
        f"produced them with the offline synthesizer (no LLM), then predicts the next steps, "
        f"across the layout swap at step {args.swap_at}, without learning more (frozen):\n"
    )
    trajectory = read_trajectory(path)
    with make_proposer("synth", show_progress=sys.stderr.isatty()) as proposer:
        _print_report(_prediction_report(trajectory, proposer, args, None), trajectory, args, out)


def _cmd_data_overcooked(args: argparse.Namespace, out: Console) -> None:
    with progress_bar() as progress:
        task = progress.add_task(f"overcooked {args.split}", total=None)
        report = export_overcooked(
            args.split,
            Path(args.out),
            layout=args.layout,
            path=args.path,
            on_start=lambda total: progress.update(task, total=total),
            on_done=lambda _path: progress.advance(task),
        )
    out.print(
        f"wrote {_how_many(len(report.written), 'trajectory', 'trajectories')} to {args.out}"
        f" (kept {len(report.kept)} already there)"
    )


def _llm_config(args: argparse.Namespace) -> LLMConfig:
    return LLMConfig.load(
        args.llm_config,
        base_url=args.llm_base_url,
        model=args.llm_model,
        variant=args.llm_variant,
        temperature=args.llm_temperature,
        max_tokens=args.llm_max_tokens,
        repairs=args.llm_repairs,
        cache=args.cache,
        cache_only=args.cache_only or None,
    )


def _cmd_bench(args: argparse.Namespace, out: Console) -> None:
    chosen = suite(args.suite, quick=args.quick, observe=args.observe, episodes=args.episodes)
    names = None
    if args.methods:
        names = [name.strip() for name in args.methods.split(",") if name.strip()]
        if not names:
            raise RoteError("--methods names no method")
    methods = bench_methods(chosen, names)
    needs_llm = any(method(name).needs_llm for name in methods)
    context = Context(chosen, Path(args.out), _llm_config(args) if needs_llm else None)
    with progress_bar() as progress:
        task = progress.add_task(f"bench {chosen.name}", total=None)
        results = run_bench(
            context,
            methods,
            jobs=args.jobs,
            on_start=lambda total, done: progress.update(task, total=total, completed=done),
            on_cell=lambda cell: progress.update(task, advance=1, description=cell.name),
            on_problem=lambda problem: print(f"warning: {problem}", file=sys.stderr),
        )
    written = [results_path(context.out), *write_outputs(context.out, chosen, results)]
    out.print(markdown(summarize(chosen, results)).rstrip())
    out.print(
        f"\n{len(results)} cells in {context.out}/: " + ", ".join(path.name for path in written)
    )


def _cmd_predict(args: argparse.Namespace, out: Console) -> None:
    trajectory = read_trajectory(args.trajectory)
    llm = _llm_config(args) if args.proposer in LLM_PROPOSERS else None
    with make_proposer(
        args.proposer,
        budget=args.budget,
        llm=llm,
        programs=args.programs or (),
        show_progress=sys.stderr.isatty(),
        on_problem=lambda problem: print(f"warning: {problem}", file=sys.stderr),
    ) as proposer:
        report = _prediction_report(trajectory, proposer, args, llm)
    _print_report(report, trajectory, args, out)


def _prediction_report(
    trajectory: Trajectory, proposer: Proposer, args: argparse.Namespace, llm: LLMConfig | None
) -> PredictionReport:
    return prediction_report(
        trajectory,
        proposer,
        observe=args.observe,
        updating=args.updating,
        particles=args.particles,
        seed=args.seed,
        top=args.top,
        llm=llm,
    )


def _print_report(
    report: PredictionReport, trajectory: Trajectory, args: argparse.Namespace, out: Console
) -> None:
    """The report as one JSON object (--json), or as a table, the accuracy, the cost and the
    programs."""
    if args.json:
        print(json.dumps(report.to_json()))
        return
    table = Table("step", "prediction", "p", "actual", "hit")
    for p in report.predictions:
        hit = "" if p.hit is None else f"{p.hit:.2g}"
        table.add_row(str(p.t), p.top, f"{p.distribution[p.top]:.2f}", p.actual or "?", hit)
    out.print(table)
    usage = report.usage
    scored = sum(p.actual is not None for p in report.predictions)  # a last step may have none
    calls = _how_many(int(usage["calls"]), "proposer call", "proposer calls")
    out.print(
        f"accuracy {report.accuracy:.3f} over {_how_many(scored, 'step', 'steps')} after observing "
        f"{args.observe} ({args.updating}); {calls}, "
        f"{usage['wall_seconds']} s"
    )
    if report.llm is not None:
        out.print(
            f"LLM: {usage['llm_requests']} completion requests, {usage['cache_hits']} samples "
            f"from the cache, {usage['prompt_tokens']} prompt and {usage['completion_tokens']} "
            f"completion tokens, {usage['rejected']} answers without a program"
        )
    swap_at = trajectory.header.meta.get("swap_at")
    after = report.accuracy_from(swap_at) if isinstance(swap_at, int) else None
    if after is not None:
        out.print(f"accuracy {after[0]:.3f} on the {after[1]} steps from the layout swap")
    for rank, program in enumerate(report.programs, start=1):
        out.print(f"\n# program {rank}: weight {program.weight:.3f}, from {program.origin}")
        out.print(program.source.rstrip())


def _add_llm_arguments(parser: argparse.ArgumentParser, title: str) -> None:
    llm = parser.add_argument_group(title)
    llm.add_argument("--llm-config", help="a TOML file of LLM settings (or ROTE_LLM_CONFIG)")
    llm.add_argument(
        "--llm-base-url",
        help="an OpenAI-compatible server, e.g. http://localhost:8000/v1 (or ROTE_LLM_BASE_URL); "
        "without one, the embedded SmolLM2-135M model (the `local` extra)",
    )
    llm.add_argument("--llm-model", help="the server's model name (or ROTE_LLM_MODEL)")
    llm.add_argument("--llm-variant", choices=VARIANTS, help="prompt variant (default plain)")
    llm.add_argument("--llm-temperature", type=float)
    llm.add_argument("--llm-max-tokens", type=_positive_int)
    llm.add_argument("--llm-repairs", type=int, help="repair rounds per failing program")
    llm.add_argument("--cache", help="the SQLite replay cache (default ~/.cache/rote/llm.sqlite)")
    llm.add_argument(
        "--cache-only", action="store_true", help="replay from the cache; a miss is an error"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="rote", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"rote {__version__}")
    _add_plugin_argument(parser, "plugin")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    commands.add_parser("envs", help="list registered environments").set_defaults(run=_cmd_envs)
    commands.add_parser(
        "doctor", help="what confines programs here, and whether the sandbox runs them"
    ).set_defaults(run=_cmd_doctor)

    agents = commands.add_parser("agents", help="list the scripted agents of an env")
    agents.add_argument("--env", default="construction")
    agents.set_defaults(run=_cmd_agents)

    gen = commands.add_parser("generate", help="record scripted agents as trajectory files")
    gen.add_argument("--env", default="construction")
    gen.add_argument("--agent", default="all", help="a scripted agent name, or 'all'")
    gen.add_argument("--episodes", type=_up_to(MAX_EPISODES), default=5)
    gen.add_argument("--steps", type=_up_to(MAX_STEPS), default=50)
    gen.add_argument("--swap-at", type=int, default=None, help="re-sample the layout at this step")
    gen.add_argument("--seed", type=_seed, default=0)
    gen.add_argument("--noise", type=float, default=0.0, help="probability of a random action")
    gen.add_argument("--env-kwargs", type=_json_object, default=None, help="JSON object")
    gen.add_argument("--out", required=True, help="output directory")
    gen.set_defaults(run=_cmd_generate)

    validate = commands.add_parser("validate", help="check trajectory files")
    validate.add_argument("files", nargs="+")
    validate.set_defaults(run=_cmd_validate)

    render = commands.add_parser("render", help="print one step of a trajectory as text")
    render.add_argument("file")
    render.add_argument("--step", type=_count, default=0)
    render.set_defaults(run=_cmd_render)

    predict = commands.add_parser(
        "predict", help="infer programs from the first N steps, predict every later step"
    )
    predict.add_argument("--trajectory", required=True, help="a rote.trajectory/1 file")
    predict.add_argument("--observe", type=int, required=True, help="steps to infer from")
    predict.add_argument(  # the pass is "updating" in the library; the flag keeps its name
        "--mode", dest="updating", choices=UPDATING, default="frozen"
    )
    predict.add_argument(
        "--proposer",
        choices=PROPOSERS,
        default="synth",
        help="synth: the offline synthesizer (default); list: the programs given with "
        "--programs; llm: an LLM writes them (docs/llm.md); hybrid: both",
    )
    predict.add_argument(
        "--budget",
        type=_up_to(MAX_BUDGET),
        default=Budget().programs,
        help="synth: programs scored per search (more is slower and finds longer programs)",
    )
    predict.add_argument("--programs", nargs="+", help="program files or directories (list)")
    predict.add_argument("--particles", type=_up_to(MAX_PARTICLES), default=30)
    predict.add_argument("--seed", type=_seed, default=0)
    predict.add_argument("--top", type=_count, default=3, help="programs to show")
    predict.add_argument("--json", action="store_true", help="one JSON object on stdout")
    _add_llm_arguments(predict, f"LLM (--proposer {' or '.join(LLM_PROPOSERS)}; see docs/llm.md)")
    predict.set_defaults(run=_cmd_predict)

    bench = commands.add_parser(
        "bench", help="rote and the baselines on a suite: results, tables and plots"
    )
    bench.add_argument(
        "--suite",
        default="construction",
        help=f"{', '.join(suite_builders())}, or a plugin env's (default: construction)",
    )
    llm_methods = " and ".join(name for name, found in METHODS.items() if found.needs_llm)
    bench.add_argument(
        "--methods",
        help=f"comma-separated, from {', '.join(METHODS)}, or rote@N (N particles); "
        f"{llm_methods} need an LLM (default: the suite's offline methods)",
    )
    bench.add_argument(
        "--observe", type=_positive_int, help="steps each method observes (default: the suite's)"
    )
    bench.add_argument(
        "--episodes", type=_positive_int, help="test trajectories per family, at most"
    )
    bench.add_argument("--out", required=True, help="results directory (a rerun resumes it)")
    bench.add_argument("--quick", action="store_true", help="a few minutes' version of the suite")
    bench.add_argument("--jobs", type=_positive_int, help="processes (default: one per core)")
    _add_llm_arguments(bench, f"LLM (methods {llm_methods}; see docs/llm.md)")
    bench.set_defaults(run=_cmd_bench)

    data = commands.add_parser("data", help="export a public dataset as trajectory files")
    datasets = data.add_subparsers(dest="dataset", required=True, parser_class=_Parser)
    overcooked = datasets.add_parser(
        "overcooked",
        help="Carroll et al. 2019 human-human Overcooked games, one file per player per game "
        "(docs/overcooked.md)",
    )
    overcooked.add_argument("--split", choices=OVERCOOKED_SPLITS, required=True)
    overcooked.add_argument("--layout", choices=list(OVERCOOKED_LAYOUTS))
    overcooked.add_argument(
        "--path", help="a pickle, or a directory of them (default: the installed overcooked-ai)"
    )
    overcooked.add_argument("--out", required=True, help="output directory (a rerun resumes it)")
    overcooked.set_defaults(run=_cmd_data_overcooked)

    demo = commands.add_parser("demo", help="the main job on the embedded default")
    demo.add_argument("--out", default="demo-out")
    demo.add_argument("--steps", type=_up_to(MAX_STEPS), default=50)
    demo.add_argument("--swap-at", type=int, default=30)
    demo.add_argument("--seed", type=_seed, default=0)
    demo.add_argument("--agent", default="snake", help="the family to predict")
    demo.add_argument("--observe", type=int, default=20, help="steps to infer from")
    demo.set_defaults(
        run=_cmd_demo,
        episodes=1,
        noise=0.0,
        env_kwargs=None,
        updating="frozen",
        particles=30,
        top=1,
        json=False,
    )
    for command in (*commands.choices.values(), *datasets.choices.values()):
        if command is not data:  # its subcommand's namespace would overwrite data's
            _add_plugin_argument(command, "plugin_after")
    return parser


def _add_plugin_argument(parser: argparse.ArgumentParser, dest: str) -> None:
    """--plugin before the subcommand (dest "plugin") or after it ("plugin_after"): a
    subcommand's defaults replace the top level's values of the same dest, so they differ."""
    parser.add_argument(
        "--plugin",
        dest=dest,
        action="append",
        default=[],
        metavar="FILE_OR_MODULE",
        help="a Python file or module that registers envs, vocabularies or agents (repeatable)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    if isinstance(sys.stdout, io.TextIOWrapper):  # echoed paths may hold bytes that are not UTF-8
        sys.stdout.reconfigure(errors="backslashreplace")
    args = build_parser().parse_args(argv)
    out = Console(highlight=False, soft_wrap=True, markup=False)  # never mangle program source
    try:
        for plugin in (*args.plugin, *args.plugin_after):
            load_plugin(plugin)
        args.run(args, out)
    except RoteError as error:
        print(f"error: {in_plugin(error)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
