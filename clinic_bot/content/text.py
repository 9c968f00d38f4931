"""How a text is put on one line wherever the project compares, stores or shows it."""


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (spaces, tabs, line breaks, Unicode spaces) as one space, and none at
    either end: how YAML block scalars, a browser's textarea and typed examples become what patients see and
    what the data files hold."""
    return " ".join(text.split())
