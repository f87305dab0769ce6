"""tests/app/helpers.py: AppTest runs the app as a server would."""

from streamlit.runtime.scriptrunner import script_cache

from tests.app.helpers import ROOT, SCRIPT_CACHE, open_page


def test_a_rerun_reuses_the_compiled_scripts_as_a_server_does(monkeypatch):
    compiled = []
    real_compile = compile

    def counting_compile(source, filename, *args, **kwargs):
        compiled.append(filename)
        return real_compile(source, filename, *args, **kwargs)

    monkeypatch.setattr(script_cache, "compile", counting_compile, raising=False)
    at = open_page("app_pages/bayes.py")
    at.run()
    at.run()
    page, app = str(ROOT / "app_pages" / "bayes.py"), str(ROOT / "app.py")
    assert compiled.count(page) <= 1 and compiled.count(app) <= 1, compiled
    assert SCRIPT_CACHE.get_bytecode(page) is SCRIPT_CACHE.get_bytecode(page)
