"use strict";var handler=async e=>({statusCode:200});module.exports={handler};
