"""Work of a planned number of steps, done so far: what ui/slices.py reads to go on and to draw."""


class StepsDone:
    """For a dataclass with ``steps`` (planned) and ``trained`` (done so far) fields."""

    @property
    def finished(self) -> bool:
        return self.trained == self.steps

    @property
    def progress(self) -> float:  # 0 to 1
        return self.trained / self.steps
