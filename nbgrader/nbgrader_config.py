"""nbgrader configuration for rl-course's TypeScript notebooks (tslab kernel).

Copy this file into the course directory (the folder holding `source/`), or pass it with
`nbgrader ... --config PATH`. The course directory must resolve the `rl-course` package
(inside a checkout, or with `npm install rl-course` there), and the tslab kernelspec must be
registered (`npm run setup` does both for a checkout). Sources: nbgrader 0.9 documentation,
"Customizing how the student version of an assignment looks" and "Autograding resources".

- ClearSolutions: the TypeScript stub `rlcourse release` also writes (lib/grading/release.ts).
- Hidden tests (`// BEGIN HIDDEN TESTS` ... `// END HIDDEN TESTS`): before `nbgrader autograde`
  runs a graded cell, RunHiddenTestsQuietly wraps that region in rl-course's `runHiddenTests`,
  so its checks print nothing and a failure says only "hidden tests failed";
  `nbgrader generate_feedback` then removes the region (ClearHiddenTests), so feedback shows
  neither the hidden tests' source nor their output.
- Execute: some cells train agents for a minute on a laptop, so a cell may take 10 minutes.
"""

from nbgrader import utils
from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor

BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
OPEN = 'await require("rl-course").runHiddenTests(async () => { "use strict";'
CLOSE = "});"


class RunHiddenTestsQuietly(NbGraderPreprocessor):
    """Wraps the hidden-tests region of each graded TypeScript cell in `runHiddenTests`."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and utils.is_grade(cell) and BEGIN_HIDDEN in cell.source:
            lines = []
            for line in cell.source.split("\n"):
                if END_HIDDEN in line:
                    lines.append(CLOSE)
                lines.append(line)
                if BEGIN_HIDDEN in line:
                    lines.append(OPEN)
            cell.source = "\n".join(lines)
        return cell, resources


c = get_config()  # noqa: F821 (defined by traitlets when it loads this file)

c.ClearSolutions.code_stub = {"typescript": '// YOUR CODE HERE\nthrow new Error("Not implemented");'}
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearHiddenTests.begin_test_delimeter = BEGIN_HIDDEN
c.ClearHiddenTests.end_test_delimeter = END_HIDDEN

c.Execute.timeout = 600
# nbgrader's own lists, with one step added to each
c.Autograde.autograde_preprocessors = [RunHiddenTestsQuietly, *Autograde.autograde_preprocessors.default()]
c.GenerateFeedback.preprocessors = [*GenerateFeedback.preprocessors.default(), ClearHiddenTests]
