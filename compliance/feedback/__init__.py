"""What citizens say about an office's desks (issue 16): ratings, follow-up, letters, the star rating."""
