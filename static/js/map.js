// The progress map: institutions as dots coloured by status, over oblast outlines the app carries
// (static/geo/kz_oblasts.geojson, so the map reads offline), on OpenStreetMap tiles when online.
// Leaflet is a classic script (window.L); without it, or without JS, the table stays the view.
const COLOURS = {
  planned: "#6b6b6b",
  in_progress: "#0057b8",
  submitted: "#7a3db8",
  returned: "#c4001d",
  approved: "#2e9e4f",
  accepted: "#0a4d22",
};

function legend(L, labels) {
  const control = L.control({ position: "bottomright" });
  control.onAdd = () => {
    const box = L.DomUtil.create("div", "map-legend");
    for (const [status, colour] of Object.entries(COLOURS)) {
      const row = L.DomUtil.create("div", "", box);
      const dot = L.DomUtil.create("span", "map-dot", row);
      dot.style.background = colour; // CSSOM, not a style attribute: allowed by the CSP
      row.append(` ${labels[status] || status}`);
    }
    return box;
  };
  return control;
}

function popup(point, labels, lang) {
  const box = document.createElement("div");
  const name = document.createElement("strong");
  name.textContent = lang === "kk" ? point.k : point.n;
  box.append(name, document.createElement("br"), labels[point.s] || point.s || "");
  return box;
}

function regionName(properties, lang) {
  return properties[`name_${lang}`] || properties.name_ru;
}

// The outlines sit in a pane of their own under the dots' canvas, drawn as SVG paths that take
// no pointer events: a tap anywhere on the map reaches the dot under it, never an oblast.
async function outlines(L, map, url, lang) {
  const response = await fetch(url).catch(() => null);
  if (!response || !response.ok) return null;
  const collection = await response.json();
  for (const [name, zIndex] of [["outlines", 350], ["outline-labels", 360]]) {
    const pane = map.createPane(name); // over the tiles (200), under the dots' overlay pane (400)
    pane.style.zIndex = zIndex;
    pane.style.pointerEvents = "none";
  }
  const layer = L.geoJSON(collection, {
    pane: "outlines",
    renderer: L.svg({ pane: "outlines" }),
    interactive: false,
    attribution: "Natural Earth",
    style: (feature) => ({
      className: `oblast-outline oblast-${feature.properties.kind}`,
      color: "#3d4a55", weight: feature.properties.kind === "city" ? 1 : 1.5,
      fillColor: "#f7f4ec", fillOpacity: 0.85,
    }),
  }).addTo(map);
  for (const feature of collection.features) {
    if (feature.properties.kind !== "oblast") continue;
    const options = { permanent: true, direction: "center", className: "oblast-label", opacity: 1 };
    L.tooltip({ ...options, pane: "outline-labels" })
      .setLatLng(feature.properties.label)
      .setContent(regionName(feature.properties, lang))
      .addTo(map);
  }
  return layer;
}

async function start() {
  const element = document.getElementById("map");
  if (!element || !window.L) return;
  const L = window.L;
  const labels = JSON.parse(element.dataset.labels || "{}");
  const lang = document.body.dataset.lang;
  const response = await fetch(element.dataset.points, { credentials: "same-origin" });
  if (!response.ok) return;
  const { points } = await response.json();
  element.hidden = false;
  const map = L.map(element, { preferCanvas: true });
  // A missing or broken outlines file leaves the dots as before, never a blank map.
  const outlined = outlines(L, map, element.dataset.outlines, lang).catch(() => null);
  L.tileLayer(element.dataset.tiles, {
    maxZoom: 18,
    attribution: "&copy; OpenStreetMap contributors",
  }).addTo(map);
  const bounds = [];
  for (const point of points) {
    const marker = L.circleMarker([point.lat, point.lon], {
      radius: 6, weight: 1, color: "#000", fillColor: COLOURS[point.s] || "#999", fillOpacity: 0.9,
    });
    marker.bindPopup(() => popup(point, labels, lang));
    marker.addTo(map);
    bounds.push([point.lat, point.lon]);
  }
  const shapes = await outlined;
  if (bounds.length) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 12 });
  else if (shapes) map.fitBounds(shapes.getBounds());
  else map.setView([48.0, 67.0], 4);
  legend(L, labels).addTo(map);
  element.dataset.outlined = String(shapes ? shapes.getLayers().length : 0);
  element.dataset.ready = String(points.length);
}

start();
