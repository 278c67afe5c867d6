// The model page's Predict form: posts the item to the server, which encodes it and calls the
// contract's predict view (eth_call), and shows the class.
import { postForm } from "../http.js";

const form = document.querySelector("[data-predict-form]");
const output = document.querySelector("[data-prediction]");
const button = form.querySelector("[data-predict-button]");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  button.disabled = true;
  output.textContent = "Asking the contract…";
  try {
    const answer = await postForm(form.dataset.url, new FormData(form));
    output.textContent = `The model says: ${answer.class_name}`;
    output.dataset.classIndex = String(answer.class_index);
  } catch (error) {
    output.textContent = error.message;
    delete output.dataset.classIndex;
  } finally {
    button.disabled = false;
  }
});
button.disabled = false;
