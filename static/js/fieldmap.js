/* The field-help map: open tasks (blue circles) and the last reported positions of their teams
   (orange dots), with Leaflet. Tiles only when the station set a tile server; without them the
   points still show on a plain background, and the table below the map lists them all. */
(function () {
  "use strict";
  var box = document.getElementById("field-map");
  var source = document.getElementById("field-map-points");
  if (!box || !source || !window.L) return;
  var points = JSON.parse(source.textContent);
  var centre = box.getAttribute("data-centre").split(",").map(Number);
  var map = L.map(box, { zoomControl: true, attributionControl: true }).setView(centre, 14);
  var tiles = box.getAttribute("data-tiles");
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 19, attribution: box.getAttribute("data-attribution") }).addTo(map);
  }
  var bounds = [];
  points.forEach(function (p) {
    var text = p.label + " — " + p.status;
    if (p.lat !== null && p.lon !== null) {
      var place = L.circleMarker([p.lat, p.lon], { radius: 9, className: "map-task" }).addTo(map);
      place.bindPopup(document.createTextNode(text));
      place.on("dblclick", function () { window.location.assign(p.url); });
      bounds.push([p.lat, p.lon]);
    }
    if (p.seen) {
      var team = L.circleMarker(p.seen, { radius: 5, className: "map-team" }).addTo(map);
      team.bindPopup(document.createTextNode(text + " · " + p.seen_at + (p.accuracy ? " · ±" + p.accuracy + " m" : "")));
      bounds.push(p.seen);
    }
  });
  if (bounds.length > 1) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
  box.setAttribute("data-markers", String(bounds.length));
})();
