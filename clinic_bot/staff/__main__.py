"""`python -m clinic_bot.staff`: the staff console (clinic_bot/staff/console.py)."""
import sys

from clinic_bot.staff.console import main

sys.exit(main())
