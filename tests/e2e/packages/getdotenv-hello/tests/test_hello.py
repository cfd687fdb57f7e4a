"""The hello plugin's tests, written with getdotenv's kit for plugin authors."""

from getdotenv_hello import plugin


def test_greet_reads_the_slice_and_the_derived_variable(getdotenv_project):
    project = getdotenv_project(
        {
            ".env": "TEAM=platform\n",
            "getdotenv.config.yaml": "plugins:\n  hello:\n    greeting: Hi $TEAM\n",
        },
        plugins=[plugin],
    )
    result = project.run("hello", "greet", "--name", "Ada")
    assert (result.code, result.err) == (0, "")
    assert result.out == "Hi platform, Ada!\nHELLO_LINE=Hi platform, Ada\n"


def test_a_bad_slice_is_one_line(getdotenv_project):
    project = getdotenv_project(
        {"getdotenv.config.yaml": "plugins:\n  hello:\n    times: 99\n"}, plugins=[plugin]
    )
    result = project.run("hello", "greet")
    assert result.code == 1
    assert result.err == (
        "getdotenv: error: getdotenv.config.yaml: plugins.hello.times: Input should be less "
        "than or equal to 10, got 99\n"
    )


def test_a_value_the_user_set_wins(getdotenv_project):
    project = getdotenv_project(plugins=[plugin])
    result = project.run("cmd", "echo $HELLO_LINE", env={"HELLO_LINE": "mine"})
    assert result.out == "mine\n"
