"""Every rule's message opens with a sentence that stands alone (what goes
wrong, shown alone by the concise format), then help: why, and what to write."""

from __future__ import annotations

import pytest

from numbalint.files import discover
from numbalint.runner import RunOptions, run
from tests.conftest import ALL_CODES, FIXTURES


@pytest.fixture(scope="module")
def findings():
    files, _ = discover([str(FIXTURES)], exclude=(), root=FIXTURES)
    return run(files, RunOptions(lambda path: ALL_CODES)).findings


def test_the_fixtures_show_every_rules_message(findings):
    assert {finding.code for finding in findings} == ALL_CODES


def test_each_message_has_a_title_sentence_and_help(findings):
    for finding in findings:
        title, help_text = finding.title, finding.help
        assert title[-1] in ".!?" and not title.endswith(":."), finding.message
        assert len(title) < len(finding.message) and help_text, finding.message
        assert help_text[0].isupper() and help_text[-1] in ".!?)", finding.message
