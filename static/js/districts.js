// The district list follows the chosen oblast at once (admin filters). Without JavaScript the
// server narrows it when the form is sent with an oblast (forms_admin.district_options).
for (const box of document.querySelectorAll("[data-districts-follow]")) {
  const region = box.querySelector("select[name=region_id]");
  const district = box.querySelector("select[name=district_id]");
  if (!region || !district) continue;
  const follow = () => {
    for (const option of district.querySelectorAll("option[data-region]")) {
      option.hidden = Boolean(region.value) && option.dataset.region !== region.value;
    }
    for (const group of district.querySelectorAll("optgroup")) {
      group.hidden = ![...group.children].some((option) => !option.hidden);
    }
    if (district.selectedOptions[0]?.hidden) district.value = "";
  };
  region.addEventListener("change", follow);
  follow();
}
