// The district list follows the chosen oblast at once (admin filters). Without JavaScript the
// server narrows it when the form is sent with an oblast (forms_admin.district_options).
for (const box of document.querySelectorAll("[data-districts-follow]")) {
  // Admin selections name them region_id / district_id, the review queue region / district.
  const region = box.querySelector("select[name=region_id], select[name=region]");
  const district = box.querySelector("select[name=district_id], select[name=district]");
  if (!region || !district) continue;
  const follow = () => {
    for (const option of district.querySelectorAll("option[data-region]")) {
      option.hidden = Boolean(Number(region.value)) && option.dataset.region !== region.value;
    }
    for (const group of district.querySelectorAll("optgroup")) {
      group.hidden = ![...group.children].some((option) => !option.hidden);
    }
    if (district.selectedOptions[0]?.hidden) district.value = district.options[0].value; // "all"
  };
  region.addEventListener("change", follow);
  follow();
}
