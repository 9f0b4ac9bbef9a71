/* Colours of entity types, shared by the graph explorer and the map. */
(function () {
  "use strict";
  var fixed = {
    "xc:Province": "#7a1f1f", "xc:PrefectureLevelCity": "#c0392b", "xc:County": "#e67e22",
    "xc:CountyLevelCity": "#d35400", "xc:MunicipalDistrict": "#f0a35e", "xc:FormerDivision": "#9e9e9e",
    "xc:SpecialtyTown": "#27ae60", "xc:RuralETown": "#16a085", "xc:Programme": "#2c6fbb",
    "xc:Strategy": "#1a3f73", "xc:GovernmentBody": "#8e44ad", "xc:MediaOutlet": "#b37fd0",
    "xc:Indicator": "#b8860b", "xc:Unit": "#c9b458", "xc:Period": "#8d8d5a",
    "xc:PolicyDocument": "#5d6d7e", "xc:SourceDocument": "#85929e", "xc:Event": "#c2185b",
    "xc:EventSeries": "#e91e63", "xc:DivisionGroup": "#6d4c41", "xc:DivisionChange": "#795548",
    "skos:Concept": "#00897b", "foaf:Person": "#ad1457", "xc:Designation": "#5c6bc0",
    "qb:Observation": "#a1887f", "org:Membership": "#9575cd", "xc:Evidence": "#b0bec5"
  };
  function typeColour(type) {
    if (fixed[type]) { return fixed[type]; }
    var h = 0;
    for (var i = 0; i < type.length; i++) { h = (h * 31 + type.charCodeAt(i)) % 360; }
    return "hsl(" + h + ", 55%, 48%)";
  }
  window.xiancheng = window.xiancheng || {};
  window.xiancheng.typeColour = typeColour;
}());
