"""Daily practice: the working-day calendar, schedules, planning, self-checks, quizzes."""
