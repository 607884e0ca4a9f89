"""The command line: parse, call the core, print; every ``PortfolioError`` becomes one line.

Only click is imported at start-up; cookiecutter and GitPython load inside the commands that
need them, so ``portfolio --help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from portfolio import __version__
from portfolio.errors import AnswerError, DestinationExistsError, PortfolioError

if TYPE_CHECKING:
    from portfolio.generate import CreatedProject
    from portfolio.questions import Question


class PortfolioGroup(click.Group):
    """Translates ``PortfolioError`` once, here: the message, a hint line, the exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PortfolioError as err:
            click.secho(f"error: {err.message}", err=True, fg="red")
            if err.hint:
                click.echo(f"hint: {err.hint}", err=True)
            ctx.exit(err.exit_code)
        except KeyboardInterrupt:
            click.echo("\naborted; nothing was written", err=True)
            ctx.exit(130)


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


def _parse_set(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    given: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r} is not KEY=VALUE (e.g. --set project_name='Churn model')")
        given[key.strip()] = value
    return given


def _ask(question: Question, validate: Callable[[str], str]) -> str:
    def convert(value: str) -> str:
        try:
            return validate(value)
        except (AnswerError, DestinationExistsError) as err:
            raise click.UsageError(f"{err.message}" + (f" ({err.hint})" if err.hint else "")) from err

    text = question.prompt
    if question.choices:
        text = f"{text} ({', '.join(question.choices)})"
    return str(click.prompt(text, default=question.default, value_proc=convert))


@main.command()
@click.argument("template")
@click.option(
    "-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path), default=Path(),
    show_default="current folder", help="Folder to create the project in.",
)
@click.option("--no-input", is_flag=True, help="Ask nothing; use --set values and the defaults.")
@click.option(
    "--set", "given", metavar="KEY=VALUE", multiple=True, callback=_parse_set,
    help="Answer a question in advance, literally (repeatable), e.g. --set project_name='Churn model'.",
)
@click.option("--no-git", is_flag=True, help="Do not create a git repository and first commit.")
def new(template: str, output_dir: Path, no_input: bool, given: dict[str, str], no_git: bool) -> None:
    """Create a project from TEMPLATE (see `portfolio list`) in ./<project_slug>.

    The project is rendered in a staging folder and moved into place only when complete, with
    a git repository on `main` holding one commit. An existing folder is never touched.
    """
    from portfolio.generate import new_project

    ask = None if no_input else _ask
    project = new_project(template, output_dir=output_dir, given=given, ask=ask, init_git=not no_git)
    _print_created(project)


def _print_created(project: CreatedProject) -> None:
    where = _display_path(project.path)
    click.secho(f"Created {where} from the {project.template} template.", fg="green")
    if project.commit:
        click.echo(f"git: repository on {project.commit.branch} with one commit ({project.commit.sha[:7]}).")
        if project.commit.identity_from_answers:
            name, email = project.answers["author_name"], project.answers["author_email"]
            click.echo(
                f"git has no user.name/user.email, so the commit is signed {name} <{email}> "
                "from your answers. Set yours with: git config --global user.name '...'"
            )
    click.echo("\nNext steps:")
    click.echo(f"  cd {where}")
    click.echo("  make all                      # train, evaluate, write the report (bundled sample)")
    click.echo('  grep -rn "TODO(portfolio)" .  # write the story a hiring manager reads')
    click.echo("  make test                     # the project's own tests")
    if not project.commit:
        click.echo("  git init -b main && git add -A && git commit -m 'Initial commit'")
    click.echo("  then create a GitHub repository and push it")


def _display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
