"""gitrepo's remote side: origin, push over a path and over smart HTTP, the token's one channel."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from portfolio import gitrepo
from portfolio.errors import GitError
from tests.servers import GitServer, branch_sha


@pytest.fixture
def token() -> str:
    return f"ghp_{secrets.token_hex(16)}"


@pytest.fixture
def git_server(tmp_path: Path, token: str) -> Iterator[GitServer]:
    root = tmp_path / "server"
    root.mkdir()
    with GitServer(root, token) as server:
        yield server


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    (path / "README.md").write_text("# work\n", encoding="utf-8")
    gitrepo.init_and_commit(path, "first", fallback=gitrepo.Identity("A", "a@example.com"))
    return path


def _git(path: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(path), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def _head(path: Path) -> str:
    return _git(path, "rev-parse", "HEAD")


def _assert_no_secret(token: str, *texts: str) -> None:
    header = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    for text in texts:
        assert token not in text
        assert header not in text


def _tree_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file())


def test_push_to_a_bare_path_sets_upstream_and_reports_progress(repo: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    lines: list[str] = []

    assert gitrepo.set_origin(repo, str(bare)) is None
    result = gitrepo.push(repo, progress=lines.append)

    assert result.sha == _head(repo) == branch_sha(bare)
    assert result.branch == "main"
    assert _git(repo, "config", "branch.main.remote") == "origin"
    assert _git(repo, "config", "branch.main.merge") == "refs/heads/main"
    assert any(line.startswith("Writing objects") and line.endswith("done.") for line in lines)


def test_push_over_smart_http_with_the_token(repo: Path, git_server: GitServer, token: str) -> None:
    bare = git_server.create_bare("octo/work.git")
    url = git_server.repo_url("octo/work.git")
    gitrepo.set_origin(repo, url)

    gitrepo.push(repo, token=token)

    assert branch_sha(bare) == _head(repo)
    assert _git(repo, "remote", "get-url", "origin") == url
    assert any(method == "POST" and ok for method, _path, ok in git_server.requests)
    _assert_no_secret(token, _tree_bytes(repo / ".git").decode("latin-1"))


def test_a_wrong_token_is_refused_and_reported(
    repo: Path, git_server: GitServer, token: str
) -> None:
    bare = git_server.create_bare("octo/work.git")
    gitrepo.set_origin(repo, git_server.repo_url("octo/work.git"))
    wrong = f"ghp_{secrets.token_hex(16)}"

    with pytest.raises(GitError) as caught:
        gitrepo.push(repo, token=wrong)

    assert "refused the GitHub token" in caught.value.message
    assert "Contents read and write" in caught.value.hint
    assert branch_sha(bare) is None
    assert not any(ok for _method, _path, ok in git_server.requests)
    _assert_no_secret(wrong, str(caught.value), caught.value.hint, repr(caught.value.__cause__))


def test_without_credentials_git_stops_instead_of_prompting(
    repo: Path, git_server: GitServer
) -> None:
    git_server.create_bare("octo/work.git")
    gitrepo.set_origin(repo, git_server.repo_url("octo/work.git"))

    with pytest.raises(GitError) as caught:
        gitrepo.push(repo)

    assert "git has no credentials to push to" in caught.value.message
    assert "credential helper" in caught.value.hint


def test_user_credential_helper_serves_a_plain_remote(
    repo: Path, git_server: GitServer, token: str, isolated_git: Path
) -> None:
    # --remote to any host relies on git's own credentials: here a helper in the user's config.
    helper = f"!f() {{ echo username=me; echo password={token}; }}; f"
    subprocess.run(["git", "config", "--global", "credential.helper", helper], check=True)
    bare = git_server.create_bare("me/work.git")
    gitrepo.set_origin(repo, git_server.repo_url("me/work.git"))

    gitrepo.push(repo)

    assert branch_sha(bare) == _head(repo)
    assert token not in (repo / ".git" / "config").read_text(encoding="utf-8")


def test_a_diverged_remote_refuses_the_push(repo: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    other = tmp_path / "other"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    other.mkdir()
    (other / "x.txt").write_text("x", encoding="utf-8")
    gitrepo.init_and_commit(other, "other", fallback=gitrepo.Identity("A", "a@example.com"))
    gitrepo.set_origin(other, str(bare))
    gitrepo.push(other)
    gitrepo.set_origin(repo, str(bare))

    with pytest.raises(GitError) as caught:
        gitrepo.push(repo)

    assert "refused the push of main" in caught.value.message
    assert "git pull origin main" in caught.value.hint
    assert branch_sha(bare) == _head(other)


def test_remote_is_empty_before_and_not_after_a_push(
    repo: Path, git_server: GitServer, token: str
) -> None:
    git_server.create_bare("octo/work.git")
    url = git_server.repo_url("octo/work.git")
    assert gitrepo.remote_is_empty(url, token=token)

    gitrepo.set_origin(repo, url)
    gitrepo.push(repo, token=token)

    assert not gitrepo.remote_is_empty(url, token=token)


def test_remote_is_empty_reports_a_missing_repository(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="no git repository at"):
        gitrepo.remote_is_empty(str(tmp_path / "missing.git"))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://me:hunter2@example.com/me/x.git", "holds a password"),
        ("ext::sh -c touch% /tmp/pwned", "refusing the remote URL"),
        ("--upload-pack=touch /tmp/pwned", "is not a git remote URL"),
    ],
)
def test_unsafe_remote_urls_are_refused(repo: Path, url: str, expected: str) -> None:
    with pytest.raises(GitError, match=expected) as caught:
        gitrepo.set_origin(repo, url)

    assert "hunter2" not in str(caught.value)
    assert "origin" not in _git(repo, "remote")


def test_set_origin_replaces_and_returns_the_previous_url(repo: Path, tmp_path: Path) -> None:
    gitrepo.set_origin(repo, str(tmp_path / "a.git"))

    assert gitrepo.set_origin(repo, str(tmp_path / "b.git")) == str(tmp_path / "a.git")
    assert _git(repo, "remote", "get-url", "origin") == str(tmp_path / "b.git")


def test_the_token_reaches_git_through_a_pipe_never_the_environment(
    token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")  # the user's own entries stay in place

    with gitrepo.network_environment("https://github.com/octo/x.git", token) as (env, fds):
        assert len(fds) == 1
        keys = [env[f"GIT_CONFIG_KEY_{i}"] for i in range(1, int(env["GIT_CONFIG_COUNT"]))]
        helper = env["GIT_CONFIG_VALUE_2"]
        assert keys == ["credential.helper", "credential.https://github.com.helper", "core.askPass"]
        assert f"/dev/fd/{fds[0]}" in helper
        assert env["GIT_TERMINAL_PROMPT"] == "0"
        assert env["GIT_SSH_COMMAND"] == "ssh -o BatchMode=yes"
        _assert_no_secret(token, *env.values())
        assert os.read(fds[0], 1000).decode() == f"{token}\n"


def test_without_a_token_nothing_is_added_but_the_no_prompt_rules() -> None:
    with gitrepo.network_environment("https://example.com/x.git", None) as (env, fds):
        assert fds == ()
        assert not any(key.startswith("GIT_CONFIG") for key in env)
        assert env["GIT_TERMINAL_PROMPT"] == "0"


def test_a_configured_ssh_command_is_respected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_SSH_COMMAND", "ssh -i ~/.ssh/work")

    with gitrepo.network_environment("git@host:x.git", None) as (env, _fds):
        assert "GIT_SSH_COMMAND" not in env


def test_a_line_break_in_the_token_is_refused() -> None:
    with (
        pytest.raises(GitError, match="spaces or control characters"),
        gitrepo.network_environment("https://github.com/x.git", "ghp_a\nhost=evil"),
    ):
        pass


_DUMP_HOOK = """#!/bin/sh
out={out}
{{
  echo "ARGS: $0 $*"
  env
  echo STDIN:
  cat
  for fd in /proc/$$/fd/*; do
    n=${{fd##*/}}
    if [ "$n" -gt 2 ]; then echo "FD $n:"; timeout 5 cat "$fd" 2>&1 < /dev/null; fi
  done
}} > "$out"
exit 0
"""


def test_a_pre_push_hook_never_sees_the_token(
    repo: Path, git_server: GitServer, token: str, tmp_path: Path
) -> None:
    # Hooks run with git's environment (GIT_CONFIG_* included) and its inherited descriptors;
    # this one dumps all it can reach, and the token must be in none of it.
    dump = tmp_path / "hook-saw.txt"
    hook = repo / ".git" / "hooks" / "pre-push"
    hook.write_text(_DUMP_HOOK.format(out=dump), encoding="utf-8")
    hook.chmod(0o755)
    bare = git_server.create_bare("octo/work.git")
    gitrepo.set_origin(repo, git_server.repo_url("octo/work.git"))

    gitrepo.push(repo, token=token)

    assert branch_sha(bare) == _head(repo)  # the token did its job
    seen = dump.read_text(encoding="utf-8")
    assert "ARGS: " in seen and "refs/heads/main" in seen  # the hook really ran, with its input
    assert "GIT_CONFIG_COUNT=" in seen  # ...and saw git's environment
    _assert_no_secret(token, seen)


def test_the_users_credential_helper_is_not_asked_when_a_token_is_given(
    repo: Path, git_server: GitServer, token: str, tmp_path: Path
) -> None:
    asked = tmp_path / "asked"
    helper = f"!f() {{ touch {asked}; echo username=me; echo password=wrong; }}; f"
    origin = git_server.url
    subprocess.run(["git", "config", "--global", f"credential.{origin}.helper", helper], check=True)
    subprocess.run(["git", "config", "--global", "credential.helper", helper], check=True)
    bare = git_server.create_bare("octo/work.git")
    gitrepo.set_origin(repo, git_server.repo_url("octo/work.git"))

    gitrepo.push(repo, token=token)

    assert branch_sha(bare) == _head(repo)
    assert not asked.exists()


def _origin_with_failing_hook(repo: Path, tmp_path: Path, hook: str, says: str) -> Path:
    """Make a bare origin for ``repo`` where ``hook`` (pre-push: the local one) prints and fails."""
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    script = (repo / ".git" if hook == "pre-push" else bare) / "hooks" / hook
    script.write_text(f"#!/bin/sh\necho '{says}' >&2\nexit 1\n", encoding="utf-8")
    script.chmod(0o755)
    gitrepo.set_origin(repo, str(bare))
    return bare


def test_a_remote_hook_rejection_shows_the_remotes_reason(
    repo: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    bare = _origin_with_failing_hook(
        repo, tmp_path, "pre-receive", "policy: main needs a signed commit"
    )

    with pytest.raises(GitError) as caught:
        gitrepo.push(repo)

    assert caught.value.message == (
        f"{bare} rejected the push of main: policy: main needs a signed commit"
    )
    assert "a hook or rule on the remote refused these commits" in caught.value.hint
    assert "git pull" not in caught.value.hint
    captured = capfd.readouterr()
    assert captured.out + captured.err == ""  # no stray line from a library
    assert branch_sha(bare) is None


def test_a_failing_pre_push_hook_is_named_with_its_output(repo: Path, tmp_path: Path) -> None:
    bare = _origin_with_failing_hook(repo, tmp_path, "pre-push", "lint failed: 3 errors")

    with pytest.raises(GitError) as caught:
        gitrepo.push(repo)

    assert caught.value.message == (
        f"the push to {bare} was stopped before it started: lint failed: 3 errors"
    )
    assert "pre-push hook" in caught.value.hint
    assert branch_sha(bare) is None


def test_uncommitted_changes_lists_modified_and_untracked(repo: Path) -> None:
    assert gitrepo.uncommitted_changes(repo) == []
    (repo / "README.md").write_text("changed\n", encoding="utf-8")
    (repo / "new.txt").write_text("new\n", encoding="utf-8")

    assert gitrepo.uncommitted_changes(repo) == [" M README.md", "?? new.txt"]


def test_check_project_repo_refuses_a_folder_without_git(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="is not a git repository") as caught:
        gitrepo.check_project_repo(tmp_path)

    assert "git init -b main" in caught.value.hint


def test_check_project_repo_refuses_another_branch(repo: Path) -> None:
    _git(repo, "switch", "--quiet", "-c", "feature")

    with pytest.raises(GitError, match="on branch 'feature'"):
        gitrepo.check_project_repo(repo)
