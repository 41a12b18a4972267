"""Build hook: ship this repository's handbook, mkdocs.yml and theme in the wheel, for `statusbook init`.

They stay where the repository keeps them (handbook/, mkdocs.yml, theme/); the
wheel gets a copy under statusbook/template/ at build time, so there is one
source and an installed statusbook needs nothing from this source tree.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED = ("handbook", "mkdocs.yml", "theme")


class BuildWithTemplate(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "statusbook" / "template"
        for name in SHIPPED:
            source = HERE / name
            if source.is_dir():
                shutil.copytree(source, target / name, dirs_exist_ok=True)
            elif source.is_file():
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)


setup(cmdclass={"build_py": BuildWithTemplate})
