// Signs in at once when scripts run; without them the button does the same.
"use strict";
const form = document.querySelector("form[data-autosubmit]");
if (form) { form.submit(); }
