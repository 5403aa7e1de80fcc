/*
 * Sectormap's point layer: tens of thousands of points held as compact columns, clustered by
 * Supercluster (a k-d tree per zoom, built once), and only what the view shows turned into
 * Leaflet markers, redrawn after each move. A Leaflet object per point (as a marker cluster
 * group keeps) costs the browser seconds and hundreds of megabytes at 100,000 points.
 *
 * Data: gzipped JSON in base64 (unpacked by the browser's DecompressionStream), holding the
 * points in order of latitude: {dlat: [...], lon: [...]} in millionths of a degree, each dlat
 * the step from the latitude before (the first from 0), colour: [...] indexes into palette,
 * label: [...] plain text (set as textContent, never as HTML). Until it is unpacked (a few
 * tens of milliseconds) the layer draws nothing.
 * Options: cluster (false: every point on its own), maxZoom (the last zoom that clusters),
 * radius (cluster radius in pixels), shape ('circle': a dot on one shared canvas, 'square':
 * a small square marker, 'count': the label itself as a small badge).
 *
 * Points are children of this layer (a feature group), so a click on one reaches whoever
 * listens to the layer. Cluster markers live in a separate plain group: a click on a cluster
 * zooms in and is not reported as a click on a place.
 */
(function () {
  "use strict";

  function clusterIcon(count) {
    var size = count < 10 ? 30 : count < 100 ? 36 : 44;
    var outer = document.createElement("div");
    var inner = document.createElement("span");
    inner.textContent = String(count);
    outer.appendChild(inner);
    return L.divIcon({
      html: outer,
      className: "marker-cluster sectormap-cluster",
      iconSize: new L.Point(size, size),
    });
  }

  function unpack(packed) {
    var binary = atob(packed);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).json();
  }

  function label(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  L.SectormapPoints = L.FeatureGroup.extend({
    options: { cluster: true, maxZoom: 17, radius: 45, shape: "circle" },

    initialize: function (packed, options) {
      L.FeatureGroup.prototype.initialize.call(this, []);
      L.setOptions(this, options);
      this._clusters = L.layerGroup();
      var layer = this;
      unpack(packed).then(function (data) {
        layer._load(data);
        layer._redraw();
      });
    },

    _load: function (data) {
      this._data = data;
      var count = data.dlat.length;
      var features = new Array(count);
      var lat = 0;
      for (var i = 0; i < count; i++) {
        lat += data.dlat[i];
        features[i] = {
          type: "Feature",
          properties: { i: i },
          geometry: { type: "Point", coordinates: [data.lon[i] / 1e6, lat / 1e6] },
        };
      }
      this._index = new Supercluster({
        radius: this.options.radius,
        maxZoom: this.options.cluster ? this.options.maxZoom : 0,
        minPoints: 2,
      }).load(features);
    },

    onAdd: function (map) {
      L.FeatureGroup.prototype.onAdd.call(this, map);
      map.addLayer(this._clusters);
      map.on("moveend", this._redraw, this);
      // Before its data is unpacked this draws nothing; the unpacking draws it when done.
      this._redraw();
    },

    onRemove: function (map) {
      map.off("moveend", this._redraw, this);
      map.removeLayer(this._clusters);
      this.clearLayers();
      L.FeatureGroup.prototype.onRemove.call(this, map);
    },

    _redraw: function () {
      var map = this._map;
      if (!map || !this._index) return;
      var view = map.getBounds().pad(0.2);
      var zoom = map.getZoom();
      var found = this._index.getClusters(
        [view.getWest(), view.getSouth(), view.getEast(), view.getNorth()],
        zoom
      );
      this.clearLayers();
      this._clusters.clearLayers();
      for (var k = 0; k < found.length; k++) {
        var feature = found[k];
        var at = L.latLng(feature.geometry.coordinates[1], feature.geometry.coordinates[0]);
        if (feature.properties.cluster) {
          this._clusters.addLayer(this._cluster(feature, at));
        } else {
          this.addLayer(this._point(feature.properties.i, at));
        }
      }
    },

    _cluster: function (feature, at) {
      var index = this._index;
      var id = feature.properties.cluster_id;
      var marker = L.marker(at, {
        icon: clusterIcon(feature.properties.point_count),
        title: feature.properties.point_count + " places: zoom in",
        // Panning to a marker the keyboard focuses would redraw the layer and lose the focus.
        autoPanOnFocus: false,
      });
      marker.on("click", function () {
        this._map.setView(at, Math.min(index.getClusterExpansionZoom(id), 19));
      }, this);
      return marker;
    },

    _point: function (i, at) {
      var colour = this._data.palette[this._data.colour[i]];
      var marker;
      if (this.options.shape === "count") {
        return L.marker(at, {
          icon: L.divIcon({
            className: "sectormap-site-count",
            html: label(this._data.label[i]),
            iconSize: [24, 18],
            iconAnchor: [12, 9],
          }),
          keyboard: false,
        });
      }
      if (this.options.shape === "square") {
        var square = document.createElement("div");
        square.style.background = colour;
        marker = L.marker(at, {
          icon: L.divIcon({ className: "sectormap-visit", html: square, iconSize: [11, 11] }),
          autoPanOnFocus: false,
        });
      } else {
        this._canvas = this._canvas || L.canvas({ padding: 0.5 });
        marker = L.circleMarker(at, {
          renderer: this._canvas,
          radius: 6,
          color: "#ffffff",
          weight: 1,
          fillColor: colour,
          fillOpacity: 0.9,
        });
      }
      marker.bindTooltip(label(this._data.label[i]));
      return marker;
    },
  });

  L.sectormapPoints = function (data, options) {
    return new L.SectormapPoints(data, options);
  };
})();
