// Telegram passes the Mini App's signed initData in the address's fragment (tgWebAppData=…); it is posted
// back to the server, which checks its signature. No script from telegram.org is loaded.
"use strict";
const fragment = new URLSearchParams(window.location.hash.slice(1));
const initData = fragment.get("tgWebAppData");
if (initData) {
  document.getElementById("init-data").value = initData;
  document.getElementById("miniapp-signin").submit();
}
