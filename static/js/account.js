// The header's account area on every page: who is signed in, and the sign-out button.
import { postJSON } from "./http.js";

const area = document.querySelector("[data-account]");

export function showSignedIn(address) {
  area.querySelector("[data-account-address]").textContent = address;
  for (const element of area.querySelectorAll("[data-when]")) {
    element.hidden = element.dataset.when !== "signed-in";
  }
}

const signOutButton = area.querySelector("[data-sign-out]");
signOutButton.addEventListener("click", async () => {
  signOutButton.disabled = true;
  try {
    await postJSON("/api/auth/signout");
    // Home, freshly rendered: whatever the current page showed was for the signed-in user.
    window.location.assign("/");
  } catch (error) {
    window.alert(`Could not sign out: ${error.message}`);
    signOutButton.disabled = false;
  }
});
// Rendered disabled so that a click before this module has loaded is not lost.
signOutButton.disabled = false;
