"""The `rote` command: parses arguments, calls the library, prints. No logic of its own.

`DESCRIPTION` and `EPILOG` are what `rote --help` tells a user.

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
from argparse import SUPPRESS
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

from rich.console import Console
from rich.table import Table

from rote.agents import agent_description, agent_names, make_agent
from rote.data.overcooked import SPLITS as OVERCOOKED_SPLITS
from rote.data.overcooked import export_overcooked
from rote.envs import EnvSpec, make_env, registered_envs, registrations
from rote.envs.overcooked import LAYOUTS as OVERCOOKED_LAYOUTS
from rote.errors import RoteError
from rote.evaluation.batch import BatchSettings, find_trajectories, predict_many, summarize_batch
from rote.evaluation.bench import results_path, run_bench
from rote.evaluation.executors import EXECUTORS, Executor, make_executor
from rote.evaluation.library import CANDIDATES, CandidateSettings, build_library
from rote.evaluation.methods import METHODS, Context, bench_methods, method
from rote.evaluation.prediction import (
    PredictionReport,
    check_program_directory,
    prediction_report,
    save_programs,
)
from rote.evaluation.protocols import UPDATING
from rote.evaluation.suites import suite, suite_builders
from rote.evaluation.summary import markdown, scores, summarize, write_outputs
from rote.files import file_target
from rote.library import DEFAULT_CONCENTRATION, Library, library_table, load_library
from rote.plugins import in_plugin, load_plugin
from rote.programs.confinement import detect
from rote.programs.sandbox import Sandbox
from rote.progress import progress_bar
from rote.proposers import (
    LLM_PROPOSERS,
    PROPOSERS,
    Budget,
    ListProposer,
    ProposalRequest,
    Proposer,
    make_proposer,
)
from rote.proposers.library import with_library
from rote.proposers.llm.config import LLMConfig
from rote.proposers.llm.prompts import VARIANTS
from rote.report.explanation import explain
from rote.report.html import bench_page, trajectory_page, write_page
from rote.report.terminal import print_explanation, tempo
from rote.report.trajectory import trajectory_data
from rote.rollout import episode_path, generate
from rote.trajectory import Trajectory, TrajectoryReader, WriteReport, parse_json, read_trajectory
from rote.version import __version__

EXIT_USAGE = 2
Run = TypeVar("Run")
DEMO_ENV = "construction"
REPORT_TOP = 5
"""Programs a trajectory report shows: more make its belief plot hard to read."""


DESCRIPTION = """\
rote predicts what another agent (a person, a bot, an LLM agent) will do next. It watches a
short stretch of the agent's behaviour, writes programs that could have produced it, weighs
them by how well they explain it, and predicts by running them (ROTE: "Modeling Others' Minds
as Code"). The programs are a model of the agent you can read."""

EPILOG = """\
a first look:
  rote demo                                    record scripted agents, predict one of them
your own data:
  rote validate FILE...                        check trajectory files (docs/trajectory-format.md)
  rote predict --trajectory FILE --observe 20  infer from 20 steps, predict the rest
  rote explain --trajectory FILE --observe 20  the programs found, and how the belief came about
  rote report --trajectory FILE --observe 20 --out report.html
                                               the same as a page to step through, offline
  rote --plugin my_env.py envs                 your own environment (docs/bring-your-own-env.md)
comparisons:
  rote bench --suite construction --out DIR    rote against the baselines (docs/bench.md)
  rote report --bench DIR --out bench.html     the bench's results as one page

Each command has its own --help. A malformed input ends with one line on stderr and exit
code 2."""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the top level's paragraphs and examples as written, and adds each option's default
    to its help, unless it says the default itself or has none to say."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        nothing = default is None or default is False or default == [] or default is SUPPRESS
        if "default" in text or nothing or not action.option_strings:
            return text
        return f"{text} (default: %(default)s)" if text else "(default: %(default)s)"


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors on a single line and shows each option's default."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

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


def _positive_number(text: str) -> float:
    """An argparse type: a finite number above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, not {text}")
    return value


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
        explanation = _with_progress(
            explain, str(path), trajectory, proposer, args, None, top=REPORT_TOP
        )
    _print_report(explanation.report, args, out)
    page = Path(args.out) / "report.html"
    write_page(page, trajectory_page(trajectory_data(explanation, _spec(trajectory), path.name)))
    out.print(
        f"\nThe same run as a page to step through, offline: {page} (open it in a browser; "
        "rote report makes one for any trajectory or bench)"
    )


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


def _cmd_library_build(args: argparse.Namespace, out: Console) -> None:
    if not args.trajectories and not args.programs:
        raise RoteError("give --trajectories to learn from, --programs to start from, or both")
    paths = [path for where in args.trajectories or () for path in find_trajectories(where)]
    trajectories = [(path, read_trajectory(path)) for path in dict.fromkeys(paths)]
    envs = {
        (t.header.env, json.dumps(t.header.env_kwargs, sort_keys=True)) for _, t in trajectories
    }
    if len(envs) > 1:
        raise RoteError(f"the trajectories are of {len(envs)} envs; a library holds one")
    if args.env is None and not trajectories:
        raise RoteError("--env is needed when the library has no trajectories to learn from")
    spec = _spec(trajectories[0][1]) if trajectories else make_env(args.env)
    if args.env is not None and args.env != spec.id:
        raise RoteError(f"--env {args.env}, but the trajectories are of env {spec.id}")
    seeds: list[tuple[str, str]] = []
    if args.programs:  # each checked on the first trajectory: a broken one is a warning
        listed = ListProposer.from_paths(args.programs, on_problem=_warn)
        history = trajectories[0][1].steps if trajectories else []
        checked = listed.propose(ProposalRequest(spec, history, n=len(listed.programs)))
        seeds = [(program.origin.removeprefix("list:"), program.source) for program in checked]
    settings = CandidateSettings(
        proposer=args.proposer,
        budget=args.budget,
        llm=_llm_config(args) if args.proposer in LLM_PROPOSERS else None,
        keep=args.candidates,
        seed=args.seed,
    )
    with progress_bar() as progress:
        task = progress.add_task("programs per trajectory", total=None)
        fitting = progress.add_task("replaying them on every trajectory", total=len(trajectories))
        library = build_library(
            spec,
            trajectories,
            Path(args.out),
            settings=settings,
            seeds=seeds,
            concentration=args.concentration,
            data=args.trajectories or (),
            executor=_executor(args),
            on_start=lambda total, done: progress.update(task, total=total, completed=done),
            on_done=lambda name: progress.update(task, advance=1, description=Path(name).name),
            on_replayed=lambda _: progress.advance(fitting),
        )
    out.print(library_table(library).rstrip())
    out.print(f"\nwrote {args.out}/: index.json, README.md, programs/ ({len(library.programs)})")


def _cmd_library_show(args: argparse.Namespace, out: Console) -> None:
    library = load_library(args.library)
    out.print(library_table(library).rstrip())
    if args.source:
        for program in library.programs:
            out.print(f"\n# {program.file} ({program.count:.3g} agents)\n{program.source.rstrip()}")


def _warn(problem: str) -> None:
    print(f"warning: {problem}", file=sys.stderr)


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
    chosen = suite(
        args.suite,
        quick=args.quick,
        observe=args.observe,
        episodes=args.episodes,
        library_episodes=args.library_episodes,
        library_steps=args.library_steps,
    )
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
            executor=_executor(args),
            on_start=lambda total, done: progress.update(task, total=total, completed=done),
            on_cell=lambda cell: progress.update(task, advance=1, description=cell.name),
            on_problem=_warn,
        )
    written = [results_path(context.out), *write_outputs(context.out, chosen, results)]
    out.print(markdown(summarize(chosen, results), scores(chosen, results)).rstrip())
    out.print(
        f"\n{len(results)} cells in {context.out}/: " + ", ".join(path.name for path in written)
    )


def _library(args: argparse.Namespace) -> Library | None:
    """The --library a run's flags name, with their --concentration."""
    if args.library is None:
        if args.concentration is not None:
            raise RoteError("--concentration is for --library")
        return None
    return load_library(args.library, args.concentration)


def _proposer(args: argparse.Namespace) -> tuple[Proposer, LLMConfig | None]:
    """The proposer a run's flags ask for (behind their --library), and its LLM settings if
    it has any."""
    library = _library(args)  # a bad library fails before a model loads
    llm = _llm_config(args) if args.proposer in LLM_PROPOSERS else None
    proposer = make_proposer(
        args.proposer,
        budget=args.budget,
        llm=llm,
        programs=args.programs or (),
        show_progress=sys.stderr.isatty(),
        on_problem=_warn,
    )
    return with_library(proposer, library), llm


def _cmd_predict(args: argparse.Namespace, out: Console) -> None:
    if args.trajectories is not None:
        _predict_batch(args, out)
        return
    for flag, given in (("--out", args.out), ("--ray-address", args.ray_address)):
        if given is not None:
            raise RoteError(f"{flag} is for --trajectories (one --trajectory prints its report)")
    trajectory = read_trajectory(args.trajectory)
    if args.save_programs is not None:
        check_program_directory(Path(args.save_programs))
    proposer, llm = _proposer(args)
    with proposer:
        report = _with_progress(prediction_report, args.trajectory, trajectory, proposer, args, llm)
    _print_report(report, args, out)


def _predict_batch(args: argparse.Namespace, out: Console) -> None:
    """`predict --trajectories`: every file's --json object to --out, then a summary."""
    if args.out is None:
        raise RoteError("--trajectories needs --out: the results.jsonl its records go to")
    for flag, given in (("--save-programs", args.save_programs), ("--source", args.source)):
        if given:
            raise RoteError(f"{flag} is for one --trajectory")
    paths = find_trajectories(args.trajectories)
    settings = BatchSettings(
        observe=args.observe,
        updating=args.updating,
        particles=args.particles,
        seed=args.seed,
        horizon=args.horizon,
        proposer=args.proposer,
        budget=args.budget,
        programs=tuple(args.programs or ()),
        llm=_llm_config(args) if args.proposer in LLM_PROPOSERS else None,
        top=args.top,
        library=args.library,
        concentration=args.concentration,
    )
    _library(args)  # a bad library fails here, not in every trajectory's record
    with progress_bar() as progress:
        task = progress.add_task("predicting", total=None)
        records = predict_many(
            paths,
            settings,
            Path(args.out),
            executor=_executor(args),
            on_start=lambda total, done: progress.update(task, total=total, completed=done),
            on_record=lambda record: progress.update(
                task, advance=1, description=Path(record.trajectory).name
            ),
            on_problem=_warn,
        )
    summary = summarize_batch(records)
    mean = summary.mean_accuracy
    accuracy = "" if mean is None else f", mean accuracy {mean:.3f}"
    out.print(
        f"{_how_many(summary.trajectories, 'trajectory', 'trajectories')} in {args.out}: "
        f"{summary.predicted} predicted{accuracy}, "
        f"{_how_many(len(summary.failures), 'failure', 'failures')}"
    )
    for failed in summary.failures:
        out.print(f"  failed {failed.trajectory}: {failed.error}")


def _cmd_explain(args: argparse.Namespace, out: Console) -> None:
    trajectory = read_trajectory(args.trajectory)
    proposer, llm = _proposer(args)
    with proposer:
        explanation = _with_progress(
            explain, args.trajectory, trajectory, proposer, args, llm, top=args.top
        )
    if args.json:
        print(json.dumps(explanation.to_json()))
    else:
        print_explanation(explanation, out)


def _cmd_report(args: argparse.Namespace, out: Console) -> None:
    file_target(args.out)  # before the run, which may take minutes
    if args.bench is not None:
        if args.trajectory is not None:
            raise RoteError("give --bench or --trajectory, not both")
        page = bench_page(Path(args.bench))
    elif args.trajectory is None or args.observe is None:
        raise RoteError("give --trajectory FILE --observe N, or --bench DIR")
    else:
        trajectory = read_trajectory(args.trajectory)
        proposer, llm = _proposer(args)
        with proposer:
            explanation = _with_progress(
                explain, args.trajectory, trajectory, proposer, args, llm, top=args.top
            )
        page = trajectory_page(
            trajectory_data(explanation, _spec(trajectory), Path(args.trajectory).name)
        )
    write_page(Path(args.out), page)
    out.print(f"wrote {args.out}: open it in a browser (it needs no network)")


def _with_progress(
    run: Callable[..., Run],
    path: str,
    trajectory: Trajectory,
    proposer: Proposer,
    args: argparse.Namespace,
    llm: LLMConfig | None,
    **more: Any,
) -> Run:
    """`prediction_report` or `explain` (`run`, which take the same run flags; `more` for what
    explain adds) behind a progress bar over the predictions: an Overcooked game's take
    minutes."""
    with progress_bar() as progress:
        task = progress.add_task("predicting", total=None)
        return run(
            trajectory,
            proposer,
            observe=args.observe,
            updating=args.updating,
            particles=args.particles,
            seed=args.seed,
            horizon=args.horizon,
            llm=llm,
            path=path,
            on_prediction=lambda done, total: progress.update(task, completed=done, total=total),
            **more,
        )


def _spec(trajectory: Trajectory) -> EnvSpec:
    """The env spec a trajectory's header names."""
    return make_env(trajectory.header.env, **trajectory.header.env_kwargs)


def _print_report(report: PredictionReport, args: argparse.Namespace, out: Console) -> None:
    """The report as one JSON object (--json); or what explains the agent best, the
    predictions, their accuracy and cost, and the programs' source with --source."""
    saved = None if args.save_programs is None else save_programs(report, Path(args.save_programs))
    if saved is not None:  # on stderr with --json, whose stdout is the one object
        print(
            f"saved {_how_many(len(saved), 'program', 'programs')} to {args.save_programs} "
            f"(--proposer list --programs {args.save_programs} loads them)",
            file=sys.stderr if args.json else sys.stdout,
        )
    if args.json:
        print(json.dumps(report.to_json(top=args.top)))
        return
    observe = report.settings.observe
    for rank, program in enumerate(report.programs[: args.top], start=1):
        fit = f"fits {report.observed_fit(program)} of {observe}"
        what = program.description or f"(no docstring; from {program.origin})"
        lead = f"best explanation (weight {program.weight:.3f}, {fit} observed steps)"
        out.print(
            f"{lead if rank == 1 else f'{rank}. (weight {program.weight:.3f}, {fit})'}: {what}"
        )
        if (said := tempo(program.acting_rates)) is not None:
            out.print(f"   {said}")
    last = report.predictions[-1].t if report.predictions else observe
    swap = any(p.t == report.swap_at for p in report.predictions)
    title = f"steps {observe}-{last} predicted after observing steps 0-{observe - 1}"
    table = Table(
        "step",
        "prediction",
        "p",
        "actual",
        "hit",
        *([""] if swap else []),
        title=f"{title} ({report.settings.mode})",
    )
    for p in report.predictions:
        hit = "" if p.hit is None else f"{p.hit:.2g}"
        row = [str(p.t), p.top, f"{p.distribution[p.top]:.2f}", p.actual or "?", hit]
        table.add_row(*row, *(["layout swap" if p.t == report.swap_at else ""] if swap else []))
    out.print(table)
    usage = report.usage
    calls = _how_many(int(usage["calls"]), "proposer call", "proposer calls")
    out.print(
        f"accuracy {report.accuracy:.3f} over {_how_many(report.scored, 'step', 'steps')} after "
        f"observing {observe} ({report.settings.mode}); {calls}, {usage['wall_seconds']} s"
    )
    if report.llm is not None:
        out.print(
            f"LLM: {usage['llm_requests']} completion requests, {usage['cache_hits']} samples "
            f"from the cache, {usage['prompt_tokens']} prompt and {usage['completion_tokens']} "
            f"completion tokens, {usage['rejected']} answers without a program"
        )
    after = report.after_swap
    if after is not None:
        out.print(f"accuracy {after[0]:.3f} on the {after[1]} steps from the layout swap")
    scores = f"cross-entropy {report.cross_entropy:.3f} nats (p floored at 1e-3)"
    no_stay = report.no_stay
    if no_stay is not None:
        scores += (
            f"; on the {_how_many(no_stay[2], 'step', 'steps')} the agent did not "
            f"{report.idle_action}, with {report.idle_action} removed: accuracy "
            f"{no_stay[0]:.3f}, cross-entropy {no_stay[1]:.3f}"
        )
    out.print(scores)
    if args.source:
        for rank, program in enumerate(report.programs[: args.top], start=1):
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
    settings = LLMConfig()  # the defaults --llm-config and the environment may change
    llm.add_argument(
        "--llm-variant",
        choices=VARIANTS,
        help=f"the prompt's variant (default: {settings.variant})",
    )
    llm.add_argument(
        "--llm-temperature",
        type=float,
        metavar="T",
        help=f"sampling temperature (default: {settings.temperature})",
    )
    llm.add_argument(
        "--llm-max-tokens",
        type=_positive_int,
        metavar="N",
        help=f"the longest answer (default: {settings.max_tokens})",
    )
    llm.add_argument(
        "--llm-repairs",
        type=int,
        metavar="N",
        help=f"repair rounds per failing program (default: {settings.repairs})",
    )
    llm.add_argument("--cache", help="the SQLite replay cache (default ~/.cache/rote/llm.sqlite)")
    llm.add_argument(
        "--cache-only", action="store_true", help="replay from the cache; a miss is an error"
    )


def _add_run_arguments(
    parser: argparse.ArgumentParser, *, batch: bool = False, required: bool = True
) -> None:
    """What a run of ROTE on one trajectory takes: `predict`, `explain` and `report`. With
    `batch` (predict), --trajectories instead of --trajectory runs it on many; `required` is
    off where another flag replaces the run (`report --bench`)."""
    if batch:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--trajectory", metavar="FILE", help="a rote.trajectory/1 file")
        which.add_argument(
            "--trajectories",
            metavar="DIR_OR_GLOB",
            help="many: a directory's .jsonl files or a quoted glob; each one's --json object "
            "goes to --out as a line (see docs/scale.md)",
        )
    else:
        parser.add_argument(
            "--trajectory", required=required, metavar="FILE", help="a rote.trajectory/1 file"
        )
    parser.add_argument(
        "--observe",
        type=int,
        required=required,
        metavar="N",
        help="infer from the first N steps, predict the rest",
    )
    parser.add_argument(  # the pass is "updating" in the library; the flag keeps its name
        "--mode",
        dest="updating",
        choices=UPDATING,
        default="frozen",
        help="frozen: the steps revealed after the observed ones do not update the model; "
        "online: each does",
    )
    parser.add_argument(
        "--proposer",
        choices=PROPOSERS,
        default="synth",
        help="synth: the offline synthesizer (default); list: the programs given with "
        "--programs; llm: an LLM writes them (docs/llm.md); hybrid: both",
    )
    _add_budget_argument(parser)
    parser.add_argument(
        "--programs",
        nargs="+",
        metavar="PATH",
        help="for --proposer list: .py files, or directories of them, each defining class Agent",
    )
    parser.add_argument(
        "--library",
        metavar="DIR",
        help="a program library (rote library build): its programs come first, and the "
        "proposer writes new ones unless exactly one fits (docs/library.md)",
    )
    parser.add_argument(
        "--concentration",
        type=_positive_number,
        metavar="ALPHA",
        help="with --library: a new program's prior weight, in agents (default: the library's)",
    )
    parser.add_argument(
        "--particles",
        type=_up_to(MAX_PARTICLES),
        metavar="N",
        default=30,
        help="programs the posterior holds (SMC particles)",
    )
    parser.add_argument("--seed", type=_seed, default=0, help="the same seed gives the same run")
    parser.add_argument(
        "--horizon",
        type=_up_to(MAX_STEPS),
        metavar="N",
        help="predict only the next N steps after the observed ones (default: all)",
    )
    _add_llm_arguments(parser, f"LLM (--proposer {' or '.join(LLM_PROPOSERS)}; see docs/llm.md)")


def _add_budget_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--budget",
        type=_up_to(MAX_BUDGET),
        metavar="N",
        default=Budget().programs,
        help="synth: programs scored per search (more is slower and finds longer programs)",
    )


def _add_executor_arguments(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    """Where the independent tasks of `bench` and batch `predict` run."""
    parser.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="local",
        help="local: processes on this machine; ray: a Ray cluster (the `cluster` extra; "
        "docs/scale.md)",
    )
    parser.add_argument(
        "--ray-address",
        metavar="ADDR",
        help="the cluster's head, host:port as `ray start --head` prints it (default: a local "
        "cluster of --jobs CPUs, started for the run)",
    )
    parser.add_argument(
        "--jobs", type=_positive_int, help="processes, or a local Ray's CPUs (default: cores)"
    )


def _executor(args: argparse.Namespace) -> Executor:
    return make_executor(args.executor, jobs=args.jobs, address=args.ray_address)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="rote", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"rote {__version__}")
    _add_plugin_argument(parser, "plugin")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    commands.add_parser("envs", help="list registered environments").set_defaults(run=_cmd_envs)
    commands.add_parser(
        "doctor", help="what confines programs here, and whether the sandbox runs them"
    ).set_defaults(run=_cmd_doctor)

    agents = commands.add_parser("agents", help="list the scripted agents of an env")
    agents.add_argument("--env", default="construction", help="an env id (rote envs lists them)")
    agents.set_defaults(run=_cmd_agents)

    gen = commands.add_parser("generate", help="record scripted agents as trajectory files")
    gen.add_argument("--env", default="construction", help="an env id (rote envs lists them)")
    gen.add_argument(
        "--agent", default="all", help="a scripted agent (rote agents lists them), or 'all'"
    )
    gen.add_argument("--episodes", type=_up_to(MAX_EPISODES), default=5, help="episodes per agent")
    gen.add_argument("--steps", type=_up_to(MAX_STEPS), default=50, help="steps per episode")
    gen.add_argument(
        "--swap-at", type=int, default=None, help="re-sample the layout at this step (no swap)"
    )
    gen.add_argument("--seed", type=_seed, default=0, help="episode e is played on layout seed+e")
    gen.add_argument(
        "--noise", type=float, default=0.0, help="probability of a random action at each step"
    )
    gen.add_argument(
        "--env-kwargs",
        type=_json_object,
        default=None,
        help="the env's settings as a JSON object, e.g. '{\"size\": 9}' (the env's defaults)",
    )
    gen.add_argument("--out", required=True, help="output directory (files already there are kept)")
    gen.set_defaults(run=_cmd_generate)

    validate = commands.add_parser("validate", help="check trajectory files")
    validate.add_argument("files", nargs="+", help="rote.trajectory/1 files")
    validate.set_defaults(run=_cmd_validate)

    render = commands.add_parser("render", help="print one step of a trajectory as text")
    render.add_argument("file", help="a rote.trajectory/1 file")
    render.add_argument("--step", type=_count, default=0, help="the step to print")
    render.set_defaults(run=_cmd_render)

    predict = commands.add_parser(
        "predict", help="infer programs from the first N steps, predict every later step"
    )
    _add_run_arguments(predict, batch=True)
    predict.add_argument("--top", type=_count, default=3, metavar="K", help="programs to show")
    predict.add_argument("--source", action="store_true", help="print the top programs' source")
    predict.add_argument(
        "--save-programs",
        metavar="DIR",
        help="write every program of the posterior to DIR as a file, with an index "
        "(programs.json); --proposer list --programs DIR loads them back",
    )
    predict.add_argument(
        "--json",
        action="store_true",
        help="one JSON object on stdout (its schema: docs/predict.schema.json)",
    )
    batch = predict.add_argument_group("many trajectories (--trajectories)")
    batch.add_argument(
        "--out", metavar="FILE", help="results.jsonl to append to (a rerun resumes it)"
    )
    _add_executor_arguments(batch)
    predict.set_defaults(run=_cmd_predict)

    explain = commands.add_parser(
        "explain",
        help="the programs that explain one trajectory: their source, when the belief settled "
        "on them, where they disagree with the agent, what SMC did",
    )
    _add_run_arguments(explain)
    explain.add_argument(
        "--top", type=_positive_int, default=3, metavar="K", help="programs to show"
    )
    explain.add_argument(
        "--json", action="store_true", help="predict's JSON object, with belief and events"
    )
    explain.set_defaults(run=_cmd_explain)

    report = commands.add_parser(
        "report",
        help="one self-contained HTML file to open offline: a trajectory's step-through replay "
        "with the predictions and the programs (--trajectory), or a bench's results (--bench)",
    )
    report.add_argument("--bench", metavar="DIR", help="a rote bench --out directory")
    _add_run_arguments(report, required=False)
    report.add_argument(
        "--top", type=_positive_int, default=REPORT_TOP, metavar="K", help="programs to show"
    )
    report.add_argument("--out", required=True, metavar="FILE", help="the HTML file to write")
    report.set_defaults(run=_cmd_report)

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
        "--episodes",
        type=_positive_int,
        help="test trajectories per family, at most (default: the suite's)",
    )
    bench.add_argument(
        "--library-episodes",
        type=_positive_int,
        metavar="N",
        help="training trajectories per family rote-library learns from, at most (default: the "
        "suite's: 5 of the 20 BC trains on, or on overcooked-human every train player)",
    )
    bench.add_argument(
        "--library-steps",
        type=_positive_int,
        metavar="N",
        help="steps of each training trajectory rote-library learns from, from the start "
        "(default: all of them, as BC trains on)",
    )
    bench.add_argument("--out", required=True, help="results directory (a rerun resumes it)")
    bench.add_argument("--quick", action="store_true", help="a few minutes' version of the suite")
    _add_executor_arguments(bench)
    _add_llm_arguments(bench, f"LLM (methods {llm_methods}; see docs/llm.md)")
    bench.set_defaults(run=_cmd_bench)

    data = commands.add_parser("data", help="export a public dataset as trajectory files")
    datasets = data.add_subparsers(dest="dataset", required=True, parser_class=_Parser)
    overcooked = datasets.add_parser(
        "overcooked",
        help="Carroll et al. 2019 human-human Overcooked games, one file per player per game "
        "(docs/overcooked.md)",
    )
    overcooked.add_argument(
        "--split", choices=OVERCOOKED_SPLITS, required=True, help="the dataset's own split"
    )
    overcooked.add_argument(
        "--layout", choices=list(OVERCOOKED_LAYOUTS), help="one kitchen (default: all five)"
    )
    overcooked.add_argument(
        "--path", help="a pickle, or a directory of them (default: the installed overcooked-ai)"
    )
    overcooked.add_argument("--out", required=True, help="output directory (a rerun resumes it)")
    overcooked.set_defaults(run=_cmd_data_overcooked)

    library = commands.add_parser(
        "library",
        help="program libraries: what a population of agents runs, learned from many, as the "
        "prior for the next (docs/library.md)",
    )
    libraries = library.add_subparsers(dest="library_command", required=True, parser_class=_Parser)
    build = libraries.add_parser("build", help="learn a library from trajectory files")
    build.add_argument(
        "--trajectories",
        nargs="+",
        metavar="DIR_OR_GLOB",
        help="the training agents: directories of .jsonl files or quoted globs",
    )
    build.add_argument(
        "--programs",
        nargs="+",
        metavar="PATH",
        help=".py files or directories of them (e.g. hand-written programs) to start from; "
        "they compete with the learned programs for the agents",
    )
    build.add_argument("--env", help="the env id (default: the trajectories')")
    build.add_argument(
        "--out", required=True, metavar="DIR", help="the library's directory (a rerun resumes it)"
    )
    build.add_argument(
        "--proposer",
        choices=("synth", *LLM_PROPOSERS),
        default="synth",
        help="what writes each trajectory's programs",
    )
    _add_budget_argument(build)
    build.add_argument(
        "--candidates",
        type=_up_to(MAX_PARTICLES),
        metavar="K",
        default=CANDIDATES,
        help="programs kept per trajectory before they compete for the agents",
    )
    build.add_argument(
        "--concentration",
        type=_positive_number,
        metavar="ALPHA",
        default=DEFAULT_CONCENTRATION,
        help="a new program's prior weight, in agents",
    )
    build.add_argument("--seed", type=_seed, default=0, help="the same seed gives the same library")
    _add_executor_arguments(build)
    _add_llm_arguments(build, f"LLM (--proposer {' or '.join(LLM_PROPOSERS)}; see docs/llm.md)")
    build.set_defaults(run=_cmd_library_build)
    show = libraries.add_parser(
        "show", help="a library's programs, with how many agents each explains"
    )
    show.add_argument("library", metavar="DIR", help="a library's directory")
    show.add_argument("--source", action="store_true", help="print every program's source")
    show.set_defaults(run=_cmd_library_show)

    demo = commands.add_parser(
        "demo",
        help="a first look: record every Construction family, then predict one of them "
        "across a layout swap, offline",
    )
    demo.add_argument("--out", default="demo-out", help="where the trajectories go")
    demo.add_argument("--steps", type=_up_to(MAX_STEPS), default=50, help="steps per episode")
    demo.add_argument("--swap-at", type=int, default=30, help="re-sample the layout at this step")
    demo.add_argument("--seed", type=_seed, default=0, help="the layout seed")
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
        horizon=None,
        source=True,
        save_programs=None,
        json=False,
    )
    nested = (*datasets.choices.values(), *libraries.choices.values())
    for command in (*commands.choices.values(), *nested):
        if command not in (data, library):  # a subcommand's namespace would overwrite theirs
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
