// The admin's own script, after SQLAdmin's (templates/sqladmin/base.html).

// Every request SQLAdmin's scripts send carries this session's CSRF token: its delete buttons
// send DELETE requests, which have no form to carry it.
$.ajaxSetup({
  headers: { "X-CSRF-Token": $('meta[name="csrf-token"]').attr("content") },
});

// Flash messages, as toasts (SQLAdmin shows them with an inline script, which the admin's
// Content-Security-Policy refuses).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".admin-toast").forEach(function (element) {
    new window.tabler.bootstrap.Toast(element, { delay: 3000 }).show();
  });
});
