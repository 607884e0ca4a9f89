"""The command line: parse, call the core, print; every ``PortfolioError`` becomes one line.

Only click is imported at start-up; cookiecutter and GitPython load inside the commands that
need them, so ``portfolio --help`` stays fast.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from portfolio import __version__
from portfolio.errors import AnswerError, DestinationExistsError, PortfolioError
from portfolio.interrupts import Interrupted, signals_as_interrupts

if TYPE_CHECKING:
    from portfolio.generate import CreatedProject
    from portfolio.publish import PublishResult
    from portfolio.questions import Question
    from portfolio.showcase import ShowcaseResult
    from portfolio.update import UpdateResult


class PortfolioGroup(click.Group):
    """Translates failures once, here: ``error:`` and the message, a hint line, the exit code.

    ``PortfolioError`` and click's own usage errors print the same way (exit code 2 for bad
    input); Ctrl-C, SIGTERM and SIGHUP print what is on disk and exit 128 plus the signal.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse the group's own options; a usage error there prints like every other error."""
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as err:
            _usage_error(err)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run the whole program with SIGTERM and SIGHUP unwinding like Ctrl-C."""
        with signals_as_interrupts():
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; every failure ends it with one line, a hint and an exit code."""
        try:
            return super().invoke(ctx)
        except PortfolioError as err:
            _fail(err.message, err.hint, err.exit_code)
        except click.UsageError as err:
            _usage_error(err)
        except KeyboardInterrupt as err:
            interrupted = err if isinstance(err, Interrupted) else Interrupted.of(err, "")
            # The terminal may be gone (SIGHUP): the exit code must still get out.
            with contextlib.suppress(OSError):
                outcome = f"; {interrupted.outcome}" if interrupted.outcome else ""
                click.echo(f"\ninterrupted{outcome}", err=True)
            ctx.exit(interrupted.exit_code)


def _fail(message: str, hint: str, exit_code: int) -> NoReturn:
    click.secho(f"error: {message}", err=True, fg="red")
    if hint:
        click.echo(f"hint: {hint}", err=True)
    raise click.exceptions.Exit(exit_code)


def _usage_error(err: click.UsageError) -> NoReturn:
    """Print click's usage error as ``error:`` plus a hint with the usage line; exit 2."""
    hint = ""
    if err.ctx is not None:
        usage = err.ctx.get_usage().removeprefix("Usage: ")
        hint = f"usage: {usage} (see `{err.ctx.command_path} --help`)"
    _fail(err.format_message(), hint, err.exit_code)


@click.group(cls=PortfolioGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="portfolio")
def main() -> None:
    """Generate applied ML projects that prove your skills to a hiring manager.

    Each project trains and evaluates a baseline out of the box, reports results in business
    terms, and leaves the narrative for you to write. Start with `portfolio list`.
    """


@main.command("list")
def list_templates() -> None:
    """Show the templates, their pitch, and what each proves to a hiring manager."""
    from portfolio.templates import all_templates

    for info in all_templates():
        click.secho(info.name, bold=True, nl=False)
        click.echo(f"  {info.title}")
        click.echo(f"    {info.pitch}")
        click.echo(f"    Proves: {info.proves}")


def _parse_set(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> dict[str, str]:
    given: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(
                f"{item!r} is not KEY=VALUE (e.g. --set project_name='Churn model')"
            )
        given[key.strip()] = value
    return given


def _set_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the ``--set KEY=VALUE`` option of ``new`` and ``update``, parsed into a dict."""
    return click.option(
        "--set",
        "given",
        metavar="KEY=VALUE",
        multiple=True,
        callback=_parse_set,
        help=help_text,
    )


def _ask(question: Question, validate: Callable[[str], str]) -> str:
    """Ask until the answer is valid; each refusal is an ``error:`` line, then the question again.

    Ctrl-C at the prompt is an interruption (exit 130); input that ends before an answer is
    bad input, with the way to answer without prompts.
    """
    text = question.prompt
    if question.choices:
        text = f"{text} ({', '.join(question.choices)})"
    while True:
        try:
            reply = str(click.prompt(text, default=question.default))
        except click.Abort as err:
            if isinstance(err.__context__, KeyboardInterrupt):
                raise err.__context__ from None
            raise AnswerError(
                f"no answer for {question.key}: the input ended",
                hint="answer in advance with --set KEY=VALUE, or pass --no-input for the defaults",
                exit_code=2,
            ) from None
        try:
            return validate(reply)
        except (AnswerError, DestinationExistsError) as err:
            click.secho(f"error: {err.message}", err=True, fg="red")
            if err.hint:
                click.echo(f"hint: {err.hint}", err=True)


_private_option = click.option(
    "--private", is_flag=True, help="Make the GitHub repository private (default: public)."
)
_owner_option = click.option(
    "--owner", metavar="ORG", help="Create the repository in this organisation, not your account."
)
_description_option = click.option(
    "--description", metavar="TEXT", help="Repository description (default: the project's)."
)
_pages_option = click.option(
    "--pages",
    is_flag=True,
    help="Also enable GitHub Pages (built by the CI workflow) and make it the homepage.",
)
_remote_option = click.option(
    "--remote",
    metavar="URL",
    help="Push to this existing git remote instead (any host, ssh, or a folder).",
)


@main.command()
@click.argument("template")
@click.option(
    "-o",
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(),
    show_default="current folder",
    help="Folder to create the project in.",
)
@click.option("--no-input", is_flag=True, help="Ask nothing; use --set values and the defaults.")
@_set_option(
    "Answer a question in advance, literally (repeatable): --set project_name='Churn model'."
)
@click.option("--no-git", is_flag=True, help="Do not create a git repository and first commit.")
@click.option(
    "--github", is_flag=True, help="Then create a GitHub repository and push (see `publish`)."
)
@_private_option
@_owner_option
@_description_option
@_pages_option
@_remote_option
def new(
    template: str,
    output_dir: Path,
    no_input: bool,
    given: dict[str, str],
    no_git: bool,
    github: bool,
    private: bool,
    owner: str | None,
    description: str | None,
    pages: bool,
    remote: str | None,
) -> None:
    """Create a project from TEMPLATE (see `portfolio list`) in ./<project_slug>.

    The project is rendered in a staging folder and moved into place only when complete, with
    a git repository on `main` holding one commit. An existing folder is never touched.
    With --github or --remote it is then published; a failed publish leaves it intact.
    """
    from portfolio.generate import new_project

    if no_git and (github or remote is not None):
        raise click.UsageError("--github and --remote push the git repository; drop --no-git")
    if github and remote is not None:
        raise click.UsageError("choose one: --github (a new GitHub repository) or --remote URL")
    if not github and (private or owner is not None or description is not None or pages):
        raise click.UsageError("--private, --owner, --description and --pages go with --github")
    token = None
    if github:
        from portfolio.github import token_from_environment

        token = token_from_environment()  # no token: say so before anything is written
    ask = None if no_input else _ask
    project = new_project(
        template, output_dir=output_dir, given=given, ask=ask, init_git=not no_git
    )
    publishing = github or remote is not None
    where = _display_path(project.path)
    with _interrupted_means(f"the project is complete at {where}"):
        _print_created(project, suggest_publish=not publishing)
    if publishing:
        click.echo("")
        _publish(
            Path(where),
            private=private,
            owner=owner,
            description=description,
            remote=remote,
            allow_dirty=False,
            allow_secrets=False,
            token=token,
            pages=pages,
        )


@contextlib.contextmanager
def _interrupted_means(outcome: str) -> Iterator[None]:
    """Turn an interruption inside the block into one that says ``outcome`` about the disk."""
    try:
        yield
    except KeyboardInterrupt as err:
        raise Interrupted.of(err, outcome) from None


@main.command()
@click.argument(
    "path", type=click.Path(file_okay=False, path_type=Path), default=Path(), required=False
)
@_private_option
@_owner_option
@_description_option
@_pages_option
@_remote_option
@click.option(
    "--allow-dirty",
    is_flag=True,
    help="Publish even with uncommitted changes (only the last commit is pushed).",
)
@click.option(
    "--allow-secrets",
    is_flag=True,
    help="Publish even if the secrets scan finds something that looks like a credential.",
)
def publish(
    path: Path,
    private: bool,
    owner: str | None,
    description: str | None,
    pages: bool,
    remote: str | None,
    allow_dirty: bool,
    allow_secrets: bool,
) -> None:
    """Create a GitHub repository for the project at PATH (default: here) and push `main`.

    First the commits it would push are scanned for secrets (as `portfolio check` does);
    a finding stops it, naming the file and line or commit, unless --allow-secrets.

    With --pages, GitHub Pages then serves the site the project's CI workflow deploys, and
    the repository's homepage points at it.

    The token comes from GITHUB_TOKEN, GH_TOKEN or `gh auth token` and reaches git only for
    the push: never the URL, .git/config, a file or git's hooks. It needs the `repo` scope
    (fine-grained: Administration and Contents, read and write). With --remote URL, push to
    any git host instead (GitLab, Gitea, ssh, a folder) with git's own credentials; only a
    URL on the GitHub host and port gets the token. Running it again reuses the empty
    repository a failed push left behind, or pushes new commits to the project's own
    repository.
    """
    if remote is not None and (private or owner is not None or description is not None or pages):
        raise click.UsageError(
            "--private, --owner, --description and --pages describe a GitHub repository; "
            "--remote pushes to an existing one"
        )
    _publish(
        path,
        pages=pages,
        private=private,
        owner=owner,
        description=description,
        remote=remote,
        allow_dirty=allow_dirty,
        allow_secrets=allow_secrets,
        token=None,
    )


def _publish(
    path: Path,
    *,
    pages: bool,
    private: bool,
    owner: str | None,
    description: str | None,
    remote: str | None,
    allow_dirty: bool,
    allow_secrets: bool,
    token: str | None,
) -> None:
    """Publish and print the outcome; ``token``, when already found, is not looked up again."""
    from portfolio.github import token_from_environment
    from portfolio.publish import publish_project

    result = publish_project(
        path,
        pages=pages,
        private=private,
        owner=owner,
        description=description,
        remote=remote,
        allow_dirty=allow_dirty,
        allow_secrets=allow_secrets,
        token_source=token_from_environment if token is None else lambda: token,
        progress=_progress,
    )
    with _interrupted_means(f"the project in {path} was published to {result.remote}"):
        _print_published(result)


@main.command()
@click.argument(
    "path", type=click.Path(file_okay=False, path_type=Path), default=Path(), required=False
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (stable schema).")
@click.option("--strict", is_flag=True, help="Fail on warnings too (uncommitted, unpushed).")
def check(path: Path, as_json: bool, strict: bool) -> None:
    """Say whether the project at PATH (default: here) is ready to show a recruiter.

    On a showcase folder (`portfolio showcase`): the introduction, every project it links
    published and ready, every card showing its project's last report.

    Lists every TODO(portfolio) placeholder left, README sections a reviewer expects, whether
    the results exist, match the README and model card, are fresher than the config and code
    and come from your data rather than the bundled sample, hygiene (licence, CI, tests, no
    large files tracked), anything that looks like a secret in any file or in the history the
    next push would send, and whether the work is committed and pushed. Exits 0 when ready,
    1 when not; --strict also fails on warnings.
    """
    import json

    from portfolio.check import check_project, format_report

    report = check_project(path.resolve(), strict=strict)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(format_report(report))
    if not report.ready:
        click.get_current_context().exit(1)


@main.command()
@click.argument(
    "path", type=click.Path(file_okay=False, path_type=Path), default=Path(), required=False
)
@click.option(
    "--check",
    "check_only",
    is_flag=True,
    help="Change nothing; exit 1 when the installed template renders something new (for CI).",
)
@click.option(
    "--diff", "show_diff", is_flag=True, help="Change nothing; show what the update would change."
)
@_set_option("Change an answer (repeatable), validated as in `new`; recorded in .portfolio.json.")
@click.option(
    "--base",
    metavar="REV",
    help="The commit holding the template's last untouched render, if history was rewritten.",
)
def update(
    path: Path, check_only: bool, show_diff: bool, given: dict[str, str], base: str | None
) -> None:
    """Bring the project at PATH (default: here) to the installed templates, keeping your work.

    Renders the project's template with the answers in .portfolio.json and lets git merge it
    into the current branch, from the untouched render the project came from: your edits and
    the template's changes both stay, and a file both changed becomes an ordinary git
    conflict. The report's output (marker blocks, reports/) is kept as your last `make all`
    wrote it. A dirty working tree is refused; a failure before the merge changes nothing.
    Exits 1 when conflicts wait for you, or, with --check, when an update is available.
    """
    from portfolio.update import check_for_update, preview_update, update_project

    if show_diff:
        result = preview_update(path, given=given, base=base)
    elif check_only:
        result = check_for_update(path, given=given, base=base)
    else:
        result = update_project(path, given=given, base=base)
    _print_update(result, preview=show_diff or check_only)
    if (check_only and not result.up_to_date) or result.conflicts and not show_diff:
        click.get_current_context().exit(1)


def _print_update(result: UpdateResult, *, preview: bool) -> None:
    where = _display_path(result.project)
    template = f"the {result.template} template of portfolio {result.to_version}"
    if result.up_to_date:
        click.secho(f"{where} is up to date with {template}.", fg="green")
        return
    if result.diff:
        click.echo(result.diff)
        click.echo("")
    changes = result.changes
    if preview:
        was = (
            "" if result.from_version == result.to_version else f" (project: {result.from_version})"
        )
        available = f"An update is available: {template}{was}."
        click.secho(available, fg="yellow")
    elif result.merge_commit:
        click.secho(f"Updated {where} to {template}.", fg="green")
    else:
        click.secho(f"Merging {template} into {where}: conflicts to resolve.", fg="yellow")
    if len(changes):
        click.echo(f"The template {'changes' if preview else 'changed'} {len(changes)} file(s):")
        for label, names in (
            ("added", changes.added),
            ("modified", changes.modified),
            ("removed", changes.removed),
        ):
            for name in names:
                click.echo(f"  {label:9} {name}")
    for change in result.answer_changes:
        if change.new is None:
            click.echo(f"  answer {change.key} is no longer asked (was {change.old!r})")
        elif change.old is None:
            click.echo(
                f"  new answer {change.key} = {change.new!r} (change: --set {change.key}=...)"
            )
        else:
            click.echo(f"  answer {change.key}: {change.old!r} -> {change.new!r}")
    if result.kept:
        click.echo(
            "Kept as your last `make all` wrote them (never merged line by line): "
            + ", ".join(result.kept)
        )
    if preview:
        _print_preview_next(result)
        return
    if result.conflicts:
        count = len(result.conflicts)
        click.secho(f"Conflicts in {count} file(s) that you and the template changed:", fg="red")
        for name in result.conflicts:
            click.echo(f"  {name}")
        click.echo(
            "\nThe merge is in progress; nothing is committed yet. To finish it:\n"
            f"  1. edit each file above: keep what you want between <<<<<<< HEAD and "
            f">>>>>>> {result.label}, and delete the markers (or run git mergetool)\n"
            "  2. git add FILE                # for each resolved file\n"
            "  3. git commit --no-edit        # concludes the update\n"
            "To cancel the update instead: git merge --abort"
        )
        click.echo("Then: make all && make test     # regenerate the report, run the tests")
        return
    short = (result.merge_commit or "")[:7]
    click.echo(
        f"git: merged into {result.branch} as {short}; the new pristine render is "
        f"{(result.pristine or '')[:7]} (recorded in .portfolio.json)."
    )
    click.echo("\nNext steps:")
    click.echo("  make all && make test         # regenerate the report with the new template")
    click.echo("  git show --stat HEAD          # what the update brought")
    click.echo("  git reset --keep HEAD~1       # to undo the update")


def _print_preview_next(result: UpdateResult) -> None:
    if not result.conflicts_known:
        click.echo("(git before 2.38 cannot predict conflicts: the diff is the template's change)")
    elif result.conflicts:
        click.echo(
            f"Would conflict ({len(result.conflicts)} file(s)): {', '.join(result.conflicts)}"
        )
    elif result.diff is not None:
        click.echo("No conflicts expected.")
    see_first = "" if result.diff is not None else " (`portfolio update --diff` shows it first)"
    click.echo(f"Nothing was changed. Run `portfolio update` to take it{see_first}.")


def _progress(message: str) -> None:
    click.secho(f"  {message}", dim=True)


def _print_published(result: PublishResult) -> None:
    for warning in result.warnings:
        click.secho(f"warning: {warning}", err=True, fg="yellow")
    where = result.web_url or result.remote
    click.secho(f"Published {result.branch} ({result.sha[:7]}) to {where}", fg="green")
    if result.topics:
        click.echo(f"topics: {', '.join(result.topics)}")
    if result.pages_url:
        click.echo(f"live demo: {result.pages_url} (online once the CI workflow has deployed it)")


def _print_created(project: CreatedProject, *, suggest_publish: bool = True) -> None:
    where = _display_path(project.path)
    click.secho(f"Created {where} from the {project.template} template.", fg="green")
    if project.commit:
        click.echo(
            f"git: repository on {project.commit.branch} with one commit "
            f"({project.commit.sha[:7]})."
        )
        if project.commit.identity_from_answers:
            name, email = project.answers["author_name"], project.answers["author_email"]
            click.echo(
                f"git has no user.name/user.email, so the commit is signed {name} <{email}> "
                "from your answers. Set yours with: git config --global user.name '...'"
            )
    click.echo("\nNext steps:")
    click.echo(f"  cd {where}")
    click.echo("  make setup                    # once: .venv with the project and its dev tools")
    click.echo(
        "  make all                      # train, evaluate, write the report (bundled sample)"
    )
    click.echo("  portfolio check               # what is left before a recruiter sees it")
    click.echo("  make test                     # the project's own tests")
    if not project.commit:
        click.echo("  git init -b main && git add -A && git commit -m 'Initial commit'")
    if suggest_publish:
        click.echo("  portfolio publish             # create a GitHub repository and push it")


def _display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@main.command()
@click.argument("paths", nargs=-1, metavar="[PATH]...", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("profile"),
    show_default=True,
    help="The showcase folder: the profile repository's working copy.",
)
@click.option(
    "--publish",
    "publish_it",
    is_flag=True,
    help="Then create or update the <user>/<user> repository on GitHub and push it.",
)
def showcase(paths: tuple[Path, ...], output_dir: Path, publish_it: bool) -> None:
    """Write the profile page that presents the projects at PATH... (your GitHub profile).

    GitHub shows the README of the repository named after you on your profile. The showcase
    writes it: an introduction for you to write, then one card a project (title, the problem
    in your README's words, the headline result with its interval, the stack, links to the
    repository, live demo and model card). Cards sit in marker blocks: a rerun refreshes
    them from each project's last report and keeps everything you wrote. Without PATH, the
    projects the showcase already lists. With --publish, each project on GitHub gets a
    description and topics if it has none, and the page is pushed to <user>/<user> (same
    token rules as `publish`). `portfolio check DIR` says whether it is ready to be seen.
    """
    from portfolio.showcase import publish_showcase, write_showcase

    if publish_it:
        published = publish_showcase(paths, folder=output_dir, progress=_progress)
        _print_showcase(published.showcase)
        for warning in published.warnings:
            click.secho(f"warning: {warning}", err=True, fg="yellow")
        _print_published(published.published)
        click.echo(f"GitHub shows it on your profile: {published.profile_url}")
        return
    _print_showcase(write_showcase(paths, folder=output_dir))


def _print_showcase(result: ShowcaseResult) -> None:
    where = _display_path(result.readme)
    cards = len(result.cards)
    changes = [
        f"{label}: {', '.join(names)}"
        for label, names in (
            ("added", result.added),
            ("refreshed", result.refreshed),
            ("removed", result.removed),
        )
        if names
    ]
    summary = "; ".join(changes) if changes else "nothing changed"
    click.secho(f"Wrote {where}: {cards} project card(s) ({summary}).", fg="green")
    if result.adopted:
        click.echo("Your README's own text is kept; the cards were added after it.")
    if result.commit:
        click.echo(f"git: repository on main with one commit ({result.commit[:7]}).")
    waiting = [card.slug for card in result.cards if not card.problem_written]
    if waiting:
        click.echo(
            "The problem of "
            + ", ".join(waiting)
            + " comes from its description until its README's problem section is written."
        )
    folder = _display_path(result.folder)
    steps = [
        (f"edit {where}", "introduce yourself where TODO(portfolio) points"),
        (f"portfolio check {folder}", "every project published and ready, every card current"),
        (
            f"portfolio showcase -o {folder} --publish",
            f"push it to {result.user or '<user>'}/{result.user or '<user>'} on GitHub",
        ),
    ]
    width = max(len(command) for command, _why in steps)
    click.echo("\nNext steps:")
    for command, why in steps:
        click.echo(f"  {command.ljust(width)}  # {why}")
