import contextlib

from rexian.cli import main


def test_hyphenated_names_reach_the_management_commands(capsys):
    main(["workflow-doc"])
    assert "stateDiagram-v2" in capsys.readouterr().out


def test_no_arguments_prints_the_command_list(capsys):
    with contextlib.suppress(SystemExit):
        main([])
    out = capsys.readouterr().out
    assert "rexian check-invariants" in out and "check_invariants" in out
