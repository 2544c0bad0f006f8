// handoff inbox: passkeys. Adds one on the Passkeys page, and confirms an approval with
// one where the policy's step_up asks for it. Only navigator.credentials and fetch to
// this server; loaded from /static under a CSP that forbids inline script.
"use strict";

(function () {
  function toB64(buffer) {
    var bytes = new Uint8Array(buffer), text = "";
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function fromB64(value) {
    var text = atob(value.replace(/-/g, "+").replace(/_/g, "/"));
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes.buffer;
  }

  // A PublicKeyCredential as the JSON py_webauthn reads (base64url fields).
  function asJSON(cred) {
    var r = cred.response;
    var out = { id: cred.id, rawId: toB64(cred.rawId), type: cred.type,
                response: { clientDataJSON: toB64(r.clientDataJSON) },
                clientExtensionResults: cred.getClientExtensionResults() };
    if (r.attestationObject) {
      out.response.attestationObject = toB64(r.attestationObject);
      if (r.getTransports) out.response.transports = r.getTransports();
    } else {
      out.response.authenticatorData = toB64(r.authenticatorData);
      out.response.signature = toB64(r.signature);
      if (r.userHandle) out.response.userHandle = toB64(r.userHandle);
    }
    return out;
  }

  function post(url, csrf, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body)
    }).then(function (resp) {
      return resp.json().then(function (data) {
        if (resp.ok) return data;
        var e = data.error || {};
        throw new Error((e.field ? e.field + ": " : "") + (e.message || resp.statusText));
      });
    });
  }

  function say(text) {
    var box = document.getElementById("passkey-status");
    if (!box) return;
    box.textContent = text;
    box.hidden = !text;
  }

  // Passkeys page: password again, then the browser makes the passkey.
  function registration() {
    var form = document.getElementById("passkey-form");
    if (!form) return;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      say("");
      var csrf = form.elements.csrf.value;
      var password = form.elements.password.value;
      var nonce;
      post("/v1/passkeys/options", csrf, { password: password }).then(function (options) {
        nonce = options.nonce;
        var pk = options.publicKey;
        pk.challenge = fromB64(pk.challenge);
        pk.user.id = fromB64(pk.user.id);
        (pk.excludeCredentials || []).forEach(function (c) { c.id = fromB64(c.id); });
        return navigator.credentials.create({ publicKey: pk });
      }).then(function (cred) {
        return post("/v1/passkeys", csrf, { nonce: nonce, credential: asJSON(cred) });
      }).then(function () {
        window.location.href = "/passkeys?added=1";
      }).catch(function (err) { say("The passkey was not added: " + err.message); });
    });
  }

  // The decision form: an approving verdict first gets a challenge bound to this
  // handoff and the exact action, answers it with the passkey, then submits.
  var APPROVING = { approve: true, revise: true, choose: true };

  function decision(form, verdict) {
    var d = { verdict: verdict, rationale: form.elements.rationale.value.trim() };
    if (verdict === "revise") d.args = JSON.parse(form.elements.args.value);
    if (verdict === "choose") {
      var picked = form.querySelector("input[name=option_id]:checked");
      if (picked) d.option_id = picked.value;
    }
    return d;
  }

  function stepUp() {
    var form = document.getElementById("decide-form");
    if (!form || !form.getAttribute("data-step-up")) return;
    var id = form.getAttribute("data-handoff");
    form.addEventListener("submit", function (ev) {
      var button = ev.submitter;
      var verdict = button ? button.value : "";
      if (form.getAttribute("data-confirmed") === "yes" || !APPROVING[verdict]) return;
      var body;
      // Let the server name a bad field (args that are not JSON, no option picked).
      try { body = decision(form, verdict); } catch (e) { return; }
      if (verdict === "choose" && !body.option_id) return;
      ev.preventDefault();
      say("");
      var csrf = form.elements.csrf.value;
      var nonce;
      post("/v1/handoffs/" + encodeURIComponent(id) + "/step-up", csrf, body).then(function (answer) {
        if (!answer.needed) return null;
        nonce = answer.nonce;
        var pk = answer.publicKey;
        pk.challenge = fromB64(pk.challenge);
        pk.allowCredentials.forEach(function (c) { c.id = fromB64(c.id); });
        return navigator.credentials.get({ publicKey: pk });
      }).then(function (cred) {
        if (cred) {
          form.elements.step_up.value = JSON.stringify({ nonce: nonce, credential: asJSON(cred) });
        }
        form.setAttribute("data-confirmed", "yes");
        form.requestSubmit(button);
      }).catch(function (err) { say("Not approved: " + err.message); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    registration();
    stepUp();
  });
})();
